from django.utils import translation
from django.utils.translation.trans_real import (
    get_supported_language_variant,
    parse_accept_lang_header,
)

ACCEPT_LANGUAGE = "anju.accept_language"


class IgnoreAcceptLanguageMiddleware:
    """Keep the browser's Accept-Language header away from LocaleMiddleware.

    Anju is Chinese first: every visitor gets zh-hans unless the URL (/en/...) or the
    person's own choice (the admin's language preference) says otherwise. An English-set
    phone browsing a Chinese community portal should not get half-translated pages, and
    cached anonymous pages then depend on the URL alone. The header is kept aside for
    API clients (see ApiLanguageMiddleware).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        if header:
            request.META[ACCEPT_LANGUAGE] = header
        return self.get_response(request)


class ApiLanguageMiddleware:
    """API clients choose their language the standard way, with Accept-Language
    (zh-hans when they do not). Runs after LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.META.get(ACCEPT_LANGUAGE)
        if header and request.path_info.startswith("/api/"):
            for code, _quality in parse_accept_lang_header(header):
                try:
                    language = get_supported_language_variant(code)
                except LookupError:
                    continue
                translation.activate(language)
                request.LANGUAGE_CODE = language
                break
        return self.get_response(request)


_MAX_ID = 2**63 - 1


class IdRangeMiddleware:
    """A path segment of digits beyond what a 64-bit id can hold (``/api/notices/
    99999999999999999999/``) names nothing: 404 before any view sends it to the
    database, where SQLite would raise OverflowError (a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for segment in request.path_info.split("/"):
            if len(segment) > 18 and segment.isdigit() and int(segment) > _MAX_ID:
                from django.http import Http404

                raise Http404
        return self.get_response(request)


class NoEmptyExportMiddleware:
    """An admin listing that declares no export columns answers ``?export=csv`` (or
    ``xlsx``) with a 404, not a file of blank rows.

    Wagtail's listings all carry the spreadsheet-export code; with an empty
    ``list_export`` they hide the buttons but still answer the URL with one empty row per
    record, which is what staff downloaded from the visits, buildings, team, job-seeker
    and migrant-work lists before those declared their columns. A listing meant to be
    exported declares ``list_export``; every other one says "not here"."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.GET.get("export") or not request.path_info.startswith("/admin/"):
            return None
        view_class = getattr(view_func, "view_class", None)
        if view_class is None or not hasattr(view_class, "list_export"):
            return None
        initkwargs = getattr(view_func, "view_initkwargs", None) or {}
        columns = initkwargs.get("list_export", view_class.list_export)
        if not columns:
            from django.http import Http404

            raise Http404("This list has no export.")
        return None
