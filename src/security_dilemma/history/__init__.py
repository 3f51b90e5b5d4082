"""history (to be built by its issue)."""
