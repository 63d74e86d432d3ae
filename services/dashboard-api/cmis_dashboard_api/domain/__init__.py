"""Pure dashboard logic: the per-org view state, how events change it, and how it renders.
Nothing here does I/O; time comes in as ``now``."""
