"""I/O at the edges: PostgreSQL queries and commands, Redis stores, live-update fan-out."""
