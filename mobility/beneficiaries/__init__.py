"""Beneficiary files kept by référents: eligibility facts only, no social documents."""
