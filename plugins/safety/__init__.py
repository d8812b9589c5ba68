"""Gas and fire safety (燃气与用火用电安全): an Anju service plugin."""

# The plugin's version, written here only: SafetyConfig.version reads it.
__version__ = "0.1.0"
