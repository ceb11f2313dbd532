"""Public pages, home pages per role, health check."""
