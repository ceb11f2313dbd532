"""Indicators, dashboards and exports for the employment plan (DESIGN §7)."""
