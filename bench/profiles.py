"""py-spy profiles of a benchmark's processes, summarised as text: where the samples are, inclusive and own."""

import subprocess
import sys
from collections import Counter
from pathlib import Path


def start_recording(pid: int, *, seconds: int, output: Path) -> subprocess.Popen:
    """py-spy samples `pid` and its children for `seconds`, writing collapsed stacks (one line per stack)."""
    py_spy = Path(sys.executable).with_name("py-spy")
    return subprocess.Popen(
        [str(py_spy), "record", "--pid", str(pid), "--subprocesses", "--duration", str(seconds), "--rate", "200",
         "--format", "raw", "--output", str(output), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def summary(collapsed: Path, *, top: int = 15) -> dict[str, list[tuple[str, float]]]:
    """The functions holding the most samples, as shares of all: inclusive (anywhere on the stack) and own (on top).
    py-spy leaves idle threads out (waiting on a lock, a socket, a sleep), so this is where the CPU goes."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = [_function(frame) for frame in stack.split(";") if frame and not frame.startswith("process ")]
        if not frames:
            continue
        samples = int(count)
        total += samples
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    share = (lambda counter: [(name, round(n / total, 3)) for name, n in counter.most_common(top)]) if total else None
    return {"inclusive": share(inclusive), "own": share(own)} if share else {"inclusive": [], "own": []}


def _function(frame: str) -> str:
    """`name (path/to/module.py:123)` as `name (module.py)`: lines differ, functions are what we compare."""
    name, _, where = frame.partition(" (")
    return f"{name} ({Path(where.rsplit(':', 1)[0]).name})" if where else name


def print_summary(title: str, figures: dict[str, list[tuple[str, float]]]) -> None:
    for kind in ("inclusive", "own"):
        print(f"{title}, {kind} share of samples:")
        for name, share in figures[kind]:
            print(f"  {share:6.1%}  {name}")
