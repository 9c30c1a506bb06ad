"""Renderers: one result, several faces."""
