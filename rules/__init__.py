"""The business actions. `rules.core` is the machinery (no Flask); `rules.<area>` declares actions."""
