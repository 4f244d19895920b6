"""Request middleware: Chinese first on pages, and query strings the database cannot take refused up front."""

import logging

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.urls import Resolver404, get_resolver
from django.utils.translation import gettext as _
from django.views.defaults import bad_request
from rest_framework import exceptions

logger = logging.getLogger("django.request")


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


class FriendlyErrorPagesMiddleware:
    """Under DEBUG, show a clerk the site's own 404 and 500 pages instead of Django's technical ones.

    ``make run`` serves the demo with DEBUG on, and its technical 404 page lists every URL of the site.
    A developer who wants the technical pages opts in with ``TECHNICAL_ERROR_PAGES``. Without DEBUG
    Django already uses the handlers, so this middleware does nothing there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def active():
        return settings.DEBUG and not settings.TECHNICAL_ERROR_PAGES

    def __call__(self, request):
        if self.active():
            resolver = get_resolver(getattr(request, "urlconf", None))
            try:
                resolver.resolve(request.path_info)
            except Resolver404 as exc:
                # CommonMiddleware still turns this 404 into the redirect that appends a slash.
                return resolver.resolve_error_handler(404)(request, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not self.active() or isinstance(exception, PermissionDenied):
            return None  # Django renders a refusal with the 403 handler whatever DEBUG says
        resolver = get_resolver(getattr(request, "urlconf", None))
        if isinstance(exception, Http404):
            return resolver.resolve_error_handler(404)(request, exception)
        if isinstance(exception, BadRequest | SuspiciousOperation):
            return resolver.resolve_error_handler(400)(request, exception)
        logger.error("Internal Server Error: %s", request.path, exc_info=exception)
        return resolver.resolve_error_handler(500)(request)
