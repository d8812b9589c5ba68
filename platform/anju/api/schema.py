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


def name_enum(name: str, choices: str) -> None:
    """Give a set of choices one name in the OpenAPI schema, wherever it is used (two
    fields named "level" with different choices, or one choice set under two field
    names, otherwise get generated names). ``choices`` is the dotted path of a
    ``TextChoices`` class. Call it from an app's ``ready()``: plugins name their own
    enums this way, since the core's settings never name a plugin's code."""
    from django.conf import settings

    settings.SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})[name] = choices


#: What a time of day (a class's start, a canteen's cut-off) is in our answers: local wall
#: time without an offset, "16:00:00". OpenAPI's ``format: time`` is RFC 3339's full-time,
#: which needs one ("16:00:00+08:00"), so validators refused every answer that had a time.
LOCAL_TIME = {"pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", "example": "16:00:00"}


def local_times(result, generator, request, public):
    """Postprocessing hook: every ``format: time`` described as the local time it is."""

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "string" and node.get("format") == "time":
                del node["format"]
                node.update(LOCAL_TIME)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
