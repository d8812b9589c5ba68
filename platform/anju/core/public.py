"""Lazy public facades for the core's packages.

Each core package's ``__init__`` names what plugins may use — its public API — in one
``PUBLIC`` mapping of name → the internal module that defines it, and calls
``facade(__name__, PUBLIC)``. The names are loaded on first use (PEP 562), because a
package ``__init__`` is imported while Django is still loading apps, before models may be
imported. Anything not named in ``PUBLIC`` is internal; import-linter forbids plugins to
import a core package's submodules (see pyproject.toml), so the facade is the only door.
"""

import importlib


def facade(package: str, public: dict[str, str]):
    """Return ``(__getattr__, __dir__, __all__)`` for ``package`` exporting ``public``."""

    def __getattr__(name: str):
        module = public.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no public attribute {name!r}")
        # A module may live elsewhere in the core (given absolutely): the facade is
        # where plugins find the name, not necessarily where it is defined.
        dotted = module if module.startswith("anju.") else f"{package}.{module}"
        return getattr(importlib.import_module(dotted), name)

    def __dir__():
        return sorted(public)

    return __getattr__, __dir__, sorted(public)
