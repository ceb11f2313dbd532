"""Incidents during rentals, their photos and insurance claims."""
