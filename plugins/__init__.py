"""In-tree service-area plugins (employment, elderly, classroom, safety, disputes, ...).

Each sub-package is one Django app whose AppConfig subclasses the platform's plugin config
and is registered in the ``anju.plugins`` entry-point group of pyproject.toml, exactly as an
external package would be. The core (``anju``) never imports from here, and no plugin
imports another: import-linter enforces both (see pyproject.toml).
"""
