"""Seven-colour classroom (七彩课堂): an Anju service plugin."""

__version__ = "0.1.0"
