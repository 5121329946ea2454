"""Where a server spends its time during one phase of a benchmark: py-spy samples the process while the phase
runs, and the samples are summed two ways, by the function on top of the stack (its own time) and by the
innermost function of this project each sample passed through (what our code costs, libraries included)."""

import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PY_SPY = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
PACKAGES = ("interactions", "consent", "channels_whatsapp", "config", "routing")
OUR_CODE = tuple(f"{edge}{package}/" for package in PACKAGES for edge in "(/")  # py-spy shortens some paths
_LINE = re.compile(r":\d+\)$")


@dataclass
class Profile:
    raw: Path  # py-spy's collapsed stacks; `flamegraph.pl` or speedscope.app draw them
    own: Counter = field(default_factory=Counter)
    ours: Counter = field(default_factory=Counter)

    @property
    def samples(self) -> int:
        return sum(self.own.values())

    def top(self, counter: Counter, count: int = 8) -> list[tuple[str, float]]:
        total = self.samples or 1
        return [(frame, round(100 * samples / total, 1)) for frame, samples in counter.most_common(count)]


@contextmanager
def profiled(pid: int, raw: Path, *, rate: int = 250) -> Iterator[Profile]:
    """Samples `pid` (GIL-holding stacks only: CPU, not waiting) for the duration of the block."""
    recorder = subprocess.Popen(
        [PY_SPY, "record", "--pid", str(pid), "--rate", str(rate), "--gil", "--nonblocking",
         "--format", "raw", "--output", str(raw)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    profile = Profile(raw=raw)
    try:
        yield profile
    finally:
        recorder.send_signal(signal.SIGINT)  # py-spy writes its file when interrupted
        recorder.wait(timeout=60)
    if raw.exists():
        for line in raw.read_text().splitlines():
            stack, _, samples = line.rpartition(" ")
            frames = [_LINE.sub(")", frame) for frame in stack.split(";")]  # a function, not each of its lines
            profile.own[frames[-1]] += int(samples)
            ours = next((frame for frame in reversed(frames) if any(part in frame for part in OUR_CODE)), "(none)")
            profile.ours[ours] += int(samples)
