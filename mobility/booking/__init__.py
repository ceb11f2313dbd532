"""Bookings: requests, eligibility, pricing, lifecycle, handover and waiting queue.

So far only the pure rules: `eligibility` (who may rent what, and why not) and `pricing`
(tariffs, caps, rental days). They take plain values and a Beneficiary, and touch neither
the database nor the request.
"""
