"""App Home: the Home tab and its buttons; home/publish.py re-publishes it for any feature."""
