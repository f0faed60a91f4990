"""Booking time: offer slots, pick one, confirm, reschedule or cancel.

booking/start.py is the entry point other features call (an intro's or a 1:1's Book time,
App Home's Offer times); every listener is routed in handlers/__init__.py.
"""
