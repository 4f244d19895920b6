"""Chinese first: the language is Simplified Chinese unless the user picked another with the switch."""


class ChineseFirstMiddleware:
    """Ignore the browser's Accept-Language, so an English-configured browser still opens in Chinese.

    The language switch stores its choice in the language cookie, which LocaleMiddleware still honours.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
