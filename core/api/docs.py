"""The ReDoc bundle as the intranet can use it: the packaged file, minus its one request to a CDN."""

import functools

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

# ReDoc's sidebar footer always loads Redocly's logo from their CDN; intranets cannot reach it and the
# Content-Security-Policy refuses it. An empty image fails quietly and the footer hides it.
CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
NO_IMAGE = b"data:,"
BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"


@functools.cache
def redoc_bundle_bytes():
    with open(finders.find(BUNDLE), "rb") as bundle:
        return bundle.read().replace(CDN_LOGO, NO_IMAGE)


@require_safe
@cache_control(max_age=24 * 3600, public=True)
def redoc_bundle(request):
    return HttpResponse(redoc_bundle_bytes(), content_type="text/javascript; charset=utf-8")
