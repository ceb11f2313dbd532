"""Conventions with associations and the cession of the Département's retired vehicles (DESIGN §6)."""
