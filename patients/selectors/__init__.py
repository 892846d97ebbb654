"""What the patients app's pages read."""
