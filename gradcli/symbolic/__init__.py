"""Symbolic derivatives: expressions of the language differentiated, simplified and checked."""
