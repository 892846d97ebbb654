"""What the therapist's pages read."""
