"""The package version (one place: ``pyproject.toml`` reads it here too)."""

__version__ = "0.3.0.dev0"
