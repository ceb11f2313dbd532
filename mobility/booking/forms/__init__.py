"""Booking forms, one module per audience: requests (beneficiaries and référents), fleet, admin."""
