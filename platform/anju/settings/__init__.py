"""Settings, split by purpose: base (shared), dev, test, production.

Everything that differs between machines comes from environment variables (read in
base.py); the modules only choose sensible defaults for their purpose.
"""
