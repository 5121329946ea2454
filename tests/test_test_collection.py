"""Every app's own tests are collected: an app left out of `testpaths` would have its tests silently skipped by
`make test` and CI (canned responses' were, for one stop)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_directory_holding_tests_is_in_the_pytest_testpaths():
    testpaths = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"]
    collected = {ROOT / path for path in testpaths}
    holding_tests = {
        test_file.parent
        for test_file in ROOT.glob("*/**/test_*.py")
        if not {".venv", "node_modules", "bench"} & set(test_file.relative_to(ROOT).parts)
    }
    missed = sorted(
        str(directory.relative_to(ROOT))
        for directory in holding_tests
        if not any(directory == path or path in directory.parents for path in collected)
    )
    assert missed == []
