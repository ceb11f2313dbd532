"""Append-only trail of who read or changed which personal file, when and from where."""
