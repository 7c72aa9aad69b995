"""Running the panel in production: structured logs and metrics."""
