"""Session feedback: "How was it?" after a held session, Say thanks, and the kudos post."""
