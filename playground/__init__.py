"""The playground: try mentorbot in a browser, with no Slack workspace.

`playground.fakeslack` is the fake Slack Web API it runs on (the same one the tests drive);
`playground.render` draws what the bot sends as HTML.
"""
