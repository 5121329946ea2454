"""The fault-injection run: `python -m bench.faults` (see run.py)."""
