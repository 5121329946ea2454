"""Writes and the reads other apps call (the virtual agent, the workspace API): one module per subject."""
