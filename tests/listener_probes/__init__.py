"""Inbound listeners the test settings install, as routing and the virtual agent will: one that fails when a
message asks it to, one that records every message it hears of (in the cache, which tests and worker share)."""
