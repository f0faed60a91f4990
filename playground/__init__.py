"""The playground: try mentorbot in a browser, with no Slack workspace."""
