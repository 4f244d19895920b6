"""Request body parsers of the API."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, but a body nested deeper than Python can decode is a 400, not a 500.

    Python's json module raises RecursionError (not ValueError) on thousands of nested arrays.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON 数据嵌套层数过多。")) from None
