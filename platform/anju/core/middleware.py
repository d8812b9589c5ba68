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


#: Set on a request whose form body was larger than the server takes (``body_too_big``).
_TOO_BIG_ATTR = "_anju_body_too_big"


def body_too_big(request) -> str:
    """The message for a form whose body exceeded ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (and
    was read back as far as possible by ``FormBodyLimitMiddleware``), or ``""``. A view
    that shows a form with this message must not act on the answers."""
    request.POST  # noqa: B018 - the limit is found while the body is read
    return getattr(request, _TOO_BIG_ATTR, "")


def keeps_answers_when_too_big(view):
    """Marks a portal view that shows its form again, with the answers and the
    ``body_too_big`` message, when the body was over the limit (as every view built on
    the services engine's ``handle_request_form`` does). Any other view answers such a
    body with a 413 page and never sees the answers."""
    view.keeps_answers_when_too_big = True
    return view


def _keeps_answers(view_func) -> bool:
    from wagtail.views import serve

    # Staff-built service forms are Wagtail pages (ServiceFormPage.serve).
    return view_func is serve or getattr(view_func, "keeps_answers_when_too_big", False)


def _too_big_message(*, kept: bool = True) -> str:
    from django.conf import settings
    from django.template.defaultfilters import filesizeformat
    from django.utils.translation import gettext as _

    limit = {"limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}
    if not kept:
        return (
            _(
                "What you sent is too large: the written answers of a form may be at most "
                "%(limit)s altogether. Please go back, shorten the longest answer and send "
                "again."
            )
            % limit
        )
    return (
        _(
            "What you sent is too large: the written answers of a form may be at most "
            "%(limit)s altogether. Please shorten the longest answer and send again; "
            "what you typed is kept below (files must be chosen again)."
        )
        % limit
    )


def _lenient_multipart(content_type: str, body: bytes, encoding: str):
    """The text fields of a multipart body, parsed without a size limit (the standard
    library's e-mail parser). Used only on a body already held, up to
    ``FORM_BODY_MAX_BYTES``. Files are dropped: a browser cannot refill a file input."""
    from email.parser import BytesParser
    from email.policy import HTTP

    from django.http import QueryDict

    post = QueryDict(mutable=True, encoding=encoding)
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        return post
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name or part.get_filename() is not None:
            continue
        payload = part.get_payload(decode=True) or b""
        post.appendlist(str(name), payload.decode(encoding, "replace").replace("\r\n", "\n"))
    post._mutable = False
    return post


class FormBodyLimitMiddleware:
    """A portal form whose written answers exceed ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    (2.5 MB) comes back with the answers and a message naming the limit, never a bare
    400. Files do not count towards that limit (they are streamed to disk and checked
    by the form: ``SERVICES_MAX_UPLOAD_BYTES``).

    Lazy, as ``InvisibleCharactersMiddleware``: the body is read when ``request.POST``
    is first used. A body up to ``FORM_BODY_MAX_BYTES`` (12 MB by default, what the web
    server lets through) is held in a temporary file first so that, if Django refuses
    it, its text fields can be read back; beyond that the form comes back empty with
    the same message. ``body_too_big(request)`` tells the view. The admin and the API
    keep Django's answer (a styled 400 and a JSON 413-like error respectively).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and not request.path_info.startswith(("/admin/", "/api/")):
            self._wrap(request)
            request._anju_body_wrapped = True
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Only views marked ``keeps_answers_when_too_big`` get the answers of an
        over-size body; for any other the body is refused here, with a page that says
        why (413), before CSRF or the view read anything from it."""
        from django.conf import settings
        from django.template.response import TemplateResponse

        if not getattr(request, "_anju_body_wrapped", False):
            return None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is None or length <= limit or _keeps_answers(view_func):
            return None
        if not body_too_big(request):  # reads the body now; CSRF would next
            return None
        message = _too_big_message(kept=False)
        return TemplateResponse(request, "anju_core/too_big.html", {"message": message}, status=413)

    def _wrap(self, request):
        import tempfile

        from django.conf import settings
        from django.core.exceptions import RequestDataTooBig
        from django.http import QueryDict
        from django.utils.datastructures import MultiValueDict

        load = request._load_post_and_files

        def load_within_limits():
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            ceiling = getattr(settings, "FORM_BODY_MAX_BYTES", 12 * 1024 * 1024)
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            held = None
            if (
                limit is not None
                and request.content_type
                in ("multipart/form-data", "application/x-www-form-urlencoded")
                and limit < length <= ceiling
                and not request._read_started
            ):
                # Only a body that may be refused is held: a temporary file, in memory
                # up to the limit itself.
                held = tempfile.SpooledTemporaryFile(max_size=limit)
                remaining = length
                while remaining > 0:
                    chunk = request.read(min(64 * 1024, remaining))
                    if not chunk:
                        break
                    held.write(chunk)
                    remaining -= len(chunk)
                held.seek(0)
            try:
                if held is None:
                    load()
                elif request.content_type == "multipart/form-data":
                    request._post, request._files = request.parse_file_upload(request.META, held)
                else:
                    raise RequestDataTooBig("urlencoded body over the limit")
            except RequestDataTooBig:
                encoding = request.encoding or settings.DEFAULT_CHARSET
                post = QueryDict(encoding=encoding)
                if held is not None:
                    held.seek(0)
                    body = held.read()
                    if request.content_type == "multipart/form-data":
                        post = _lenient_multipart(request.META["CONTENT_TYPE"], body, encoding)
                    else:
                        post = QueryDict(body, encoding="utf-8")
                request._post, request._files = post, MultiValueDict()
                setattr(request, _TOO_BIG_ATTR, _too_big_message())
            finally:
                if held is not None:
                    held.close()

        request._load_post_and_files = load_within_limits
