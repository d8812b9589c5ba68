"""drf-spectacular hooks."""

# Wagtail's page API (/api/v2/) and its admin API views are DRF views too; they are not
# ours to document and drf-spectacular cannot describe them without errors.
EXCLUDED_PREFIXES = ("/api/v2/", "/admin/", "/cms/")


def only_anju_endpoints(endpoints):
    """Keep the endpoints under /api/ that belong to Anju (core and plugins)."""
    return [
        (path, path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
        if path.startswith("/api/") and not path.startswith(EXCLUDED_PREFIXES)
    ]
