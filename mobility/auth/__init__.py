"""Accounts, roles, organisations, login and permissions."""
