"""report (to be built by its issue)."""
