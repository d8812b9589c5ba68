"""Employment (就业服务): an Anju service plugin."""

__version__ = "0.1.0"
