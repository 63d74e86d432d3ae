"""Pure scheduling logic: no I/O, time passed in as ``now``."""
