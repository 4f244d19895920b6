"""Request middleware: Chinese first on pages, and query strings the database cannot take refused up front."""

from django.utils.translation import gettext as _
from django.views.defaults import bad_request
from rest_framework import exceptions


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


class RejectNulQueryMiddleware:
    """Refuse with 400 a query string holding a NUL character, on pages and the API alike.

    PostgreSQL cannot store or compare text containing NUL, so a search or filter carrying one would
    otherwise fail deep inside the query as a 500; no real value ever contains it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = sorted({key for key, values in request.GET.lists() if "\x00" in "".join([key, *values])})
        if not bad:
            return self.get_response(request)
        message = _("查询参数不能包含空字符(NUL)。")
        if request.path.startswith("/api/"):
            # Imported here: the API's error module pulls in DRF, which needs settings loaded first.
            from core.api.exceptions import api_error_response

            fields = {name.replace("\x00", "") or "query": [message] for name in bad}
            return api_error_response(exceptions.ParseError(message, code="invalid_query"), fields)
        return bad_request(request, exceptions.ParseError(message))
