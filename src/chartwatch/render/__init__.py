"""Renderings of result objects shared by the CLI (and later files and the web)."""
