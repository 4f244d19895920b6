"""JSON rendering through orjson: several times faster than the standard library on large lists."""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder


class OrjsonRenderer(JSONRenderer):
    # DRF's encoder still handles what orjson does not know (Decimal, lazy translations, …).
    _fallback = JSONEncoder()

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=self._fallback.default, option=orjson.OPT_NON_STR_KEYS)
