class IgnoreAcceptLanguageMiddleware:
    """Drop the browser's Accept-Language header before LocaleMiddleware reads it.

    Anju is Chinese first: every visitor gets zh-hans unless the URL (/en/...) or an
    explicit choice in the language switch (a cookie) says otherwise. An English-set
    phone browsing a Chinese community portal should not get half-translated pages, and
    cached anonymous pages then depend on the URL alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
