"""experiments (to be built by its issue)."""
