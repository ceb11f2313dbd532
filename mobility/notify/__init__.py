"""Outbox of messages, their templates and their delivery backends."""
