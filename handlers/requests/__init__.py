"""Requests: catching asks, the request modal, routing, and the lifecycle buttons.

requests/ask.py opens the request modal for other features; requests/detect.py prompts an asker.
"""
