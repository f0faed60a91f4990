"""Signed Slack requests through the running bot against the fake Web API: what people see."""
