"""Where a benchmark's processes spend their time: py-spy records a process (its children too if asked) while a
phase runs, as collapsed stacks, and the samples are summed by the function on top of the stack (own time), by
every function on the stack (inclusive), by the innermost function of this project each sample passed through
(what our code costs, libraries included), and by named parts (regexes over the whole stack).

Summarise recorded files (`bench/processing.py --profile DIR` writes them):

    .venv/bin/python bench/profiling.py var/profiles/processing-c2.txt --parts processing
"""

import argparse
import importlib
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PY_SPY = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
PACKAGES = ("interactions", "consent", "channels_whatsapp", "config", "routing")
OUR_CODE = tuple(f"{edge}{package}/" for package in PACKAGES for edge in "(/")  # py-spy shortens some paths
_LINE = re.compile(r":\d+\)$")
_NOT_CODE = ("process ", "thread ")  # the roots py-spy adds with --subprocesses and --threads


@dataclass
class Profile:
    raw: Path  # py-spy's collapsed stacks; `flamegraph.pl` or speedscope.app draw them
    own: Counter = field(default_factory=Counter)
    inclusive: Counter = field(default_factory=Counter)
    ours: Counter = field(default_factory=Counter)
    stacks: Counter = field(default_factory=Counter)  # whole stacks as py-spy wrote them, for `parts`

    @property
    def samples(self) -> int:
        return sum(self.own.values())

    def top(self, counter: Counter, count: int = 8) -> list[tuple[str, float]]:
        """The `count` largest entries of `counter`, as percentages of all samples."""
        total = self.samples or 1
        return [(frame, round(100 * samples / total, 1)) for frame, samples in counter.most_common(count)]

    def parts(self, patterns: Mapping[str, str], *, across: Mapping[str, str] | None = None) -> list[tuple[str, float]]:
        """Percentages of samples by part: each stack goes to the first part whose regex it matches (end with a
        catch-all ""); each of `across` is counted over all parts (SQL whatever the part, say)."""
        found: Counter[str] = Counter()
        for stack, samples in self.stacks.items():
            found[next((name for name, pattern in patterns.items() if re.search(pattern, stack)), "(none)")] += samples
            for name, pattern in (across or {}).items():
                found[name] += samples if re.search(pattern, stack) else 0
        total = self.samples or 1
        return [(name, round(100 * found[name] / total, 1)) for name in [*patterns, *(across or {})]]

    def summary(self, count: int = 8) -> dict[str, object]:
        """What a results file keeps."""
        return {
            "raw": str(self.raw),
            "samples": self.samples,
            "own_percent": self.top(self.own, count),
            "inclusive_percent": self.top(self.inclusive, count),
            "ours_percent": self.top(self.ours, count),
        }


def load(raw: Path) -> Profile:
    """A profile from py-spy's collapsed stacks (`--format raw`); empty if py-spy wrote nothing."""
    profile = Profile(raw=raw)
    for line in raw.read_text().splitlines() if raw.exists() else []:
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        frames = [_LINE.sub(")", frame) for frame in stack.split(";") if frame and not frame.startswith(_NOT_CODE)]
        if not frames:  # a process or thread with no Python on it
            continue
        profile.stacks[stack] += samples
        profile.own[frames[-1]] += samples  # a function, not each of its lines
        for frame in set(frames):
            profile.inclusive[frame] += samples
        ours = next((frame for frame in reversed(frames) if any(part in frame for part in OUR_CODE)), "(none)")
        profile.ours[ours] += samples
    return profile


@dataclass
class Recording:
    """py-spy recording one process into `raw`; `stop()` ends it (or waits for its `seconds`) and reads the file."""

    raw: Path
    recorder: subprocess.Popen
    seconds: float | None

    def stop(self) -> Profile:
        if self.seconds is None:
            self.recorder.send_signal(signal.SIGINT)  # py-spy writes its file when interrupted
        self.recorder.wait(timeout=(self.seconds or 0) + 60)
        return load(self.raw)


def start(
    pid: int, raw: Path, *, rate: int = 250, seconds: float | None = None, subprocesses: bool = False,
    gil: bool = False, threads: bool = False, nonblocking: bool = True,
) -> Recording:  # fmt: skip
    """Records `pid` until stopped (or for `seconds`). `gil` keeps only GIL-holding stacks (CPU, not waiting);
    `nonblocking` reads the process without pausing it (cheaper, a few torn stacks)."""
    raw.parent.mkdir(parents=True, exist_ok=True)
    flags = {"--subprocesses": subprocesses, "--gil": gil, "--threads": threads, "--nonblocking": nonblocking}
    command = [PY_SPY, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw", "--output", str(raw),
               *(["--duration", str(max(1, int(seconds)))] if seconds else []),
               *(flag for flag, wanted in flags.items() if wanted)]  # fmt: skip
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return Recording(raw=raw, recorder=recorder, seconds=seconds)


@contextmanager
def profiled(pid: int, raw: Path, **options) -> Iterator[Profile]:
    """Records `pid` for the duration of the block (options as `start`); the yielded profile is filled at its end."""
    recording = start(pid, raw, **options)
    profile = Profile(raw=raw)
    try:
        yield profile
    finally:
        loaded = recording.stop()
        profile.own, profile.inclusive, profile.ours, profile.stacks = (
            loaded.own, loaded.inclusive, loaded.ours, loaded.stacks
        )  # fmt: skip


def print_top(title: str, summary: Mapping[str, object], kinds: tuple[str, ...] = ("own", "ours")) -> None:
    """A summary (`Profile.summary()`) as text, one block per kind: own, inclusive, ours."""
    headings = {"own": "own time", "inclusive": "inclusive time", "ours": "innermost project function"}
    print(f"\n{title}: where the CPU went ({summary['samples']} samples, {summary['raw']})")
    for kind in kinds:
        print(f"  by {headings[kind]}:")
        for frame, percent in summary[f"{kind}_percent"]:
            print(f"    {percent:5.1f} %  {frame}")


def print_parts(title: str, parts: list[tuple[str, float]]) -> None:
    print(title)
    for name, percent in parts:
        print(f"  {percent:5.1f} %  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profiles", type=Path, nargs="+", help="collapsed stacks (py-spy record --format raw)")
    parser.add_argument(
        "--parts",
        metavar="BENCHMARK",
        help="also by the named parts a benchmark defines (PARTS and ACROSS in bench/BENCHMARK.py)",
    )
    parser.add_argument("--top", type=int, default=15)  # fmt: skip
    options = parser.parse_args()
    named = importlib.import_module(options.parts) if options.parts else None
    for path in options.profiles:
        profile = load(path)
        print_top(str(path), profile.summary(options.top), kinds=("own", "inclusive", "ours"))
        if named:
            print_parts("  by part:", profile.parts(named.PARTS, across=getattr(named, "ACROSS", None)))


if __name__ == "__main__":
    main()
