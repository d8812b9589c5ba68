"""The resident portal: home page, standard pages, language switch."""

# The public API plugins may use (docs/plugins.md, "Reference"); everything else in this
# package is internal. Loaded on first use: see anju.core.public.
from anju.core.public import facade as _facade  # noqa: E402

PUBLIC = {
    "ensure_home_page": "site",
}
__getattr__, __dir__, __all__ = _facade(__name__, PUBLIC)
