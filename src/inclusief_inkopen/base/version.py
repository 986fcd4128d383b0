"""The engine's version, named in every advice (the catalogue has its own)."""

__version__ = "0.1.0"
