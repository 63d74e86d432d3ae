"""The worker's edges: PostgreSQL, Redis, credentials at rest."""
