"""Pure sync logic: decisions over values, given ``now``; no I/O library is imported here."""
