"""mentorbot's core: settings, lifecycle, domain services and the scheduler."""

__version__ = "0.1.0"
