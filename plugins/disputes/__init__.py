"""Disputes (矛盾纠纷): an Anju service plugin."""

__version__ = "0.1.0"
