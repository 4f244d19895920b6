"""Chinese first: pages are Simplified Chinese unless the user picked another language with the switch."""


class ChineseFirstMiddleware:
    """Ignore the browser's Accept-Language on pages, so an English-configured browser still opens in Chinese.

    The language switch stores its choice in the language cookie, which LocaleMiddleware still honours.
    API clients are programs that ask for a language on purpose: /api/ keeps Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
