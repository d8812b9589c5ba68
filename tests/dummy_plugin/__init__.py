"""A plugin that uses every extension point, for the core's own tests."""

__version__ = "1.0.0"
