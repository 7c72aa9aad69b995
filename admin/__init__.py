"""The panel: base view, generated views for every model, login, dashboard."""
