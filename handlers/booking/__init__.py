"""Booking time: offer slots, pick one, confirm, reschedule or cancel (issue 6)."""
