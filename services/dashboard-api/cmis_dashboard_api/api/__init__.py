"""HTTP routes (under ``/api``), their documentation and the docs pages."""
