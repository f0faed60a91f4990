"""The mentor directory: `/mentor profile`, `pause`, `resume`, `find` and its Ask button."""
