from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    """Placeholder until the lifecycle buttons land."""
