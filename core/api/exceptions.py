"""One JSON error body for every failure, translated by the request's Accept-Language.

Every error answers ``{"status", "code", "detail", "fields"}``: ``detail`` is one sentence for a
person, ``fields`` maps a field name (or ``items`` → item index → field, for batches) to messages.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.defaults import page_not_found
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

from core.services import VersionConflict


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _("修改或删除记录时必须在 If-Match 请求头中提供读取时的 ETag(版本号)。")
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("记录在您读取之后已被他人修改,请重新读取后再提交。")
    default_code = "precondition_failed"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("该记录仍被其他记录引用,不能删除。")
    default_code = "protected"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(_("请求体超过 %(limit)s 字节的上限,请分批提交。") % {"limit": limit})


INVALID = _("提交的数据有误,请按字段说明修改。")


def _translate(exc):
    """Exceptions raised by services and Django → the DRF exception that carries the right status."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return exceptions.ValidationError(detail)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(*exc.args[:1])
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, VersionConflict):
        return PreconditionFailed()
    if isinstance(exc, ProtectedError | RestrictedError):
        return Conflict()
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge()
    return exc


def _body(exc, status_code):
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        return {"status": status_code, "code": "invalid", "detail": str(INVALID), "fields": fields}
    code = detail.code if hasattr(detail, "code") else exc.default_code
    return {"status": status_code, "code": code, "detail": str(detail), "fields": {}}


def api_exception_handler(exc, context):
    exc = _translate(exc)
    response = exception_handler(exc, context)
    if response is not None:
        response.data = _body(exc, response.status_code)
    return response


def api_not_found(request, exception):
    """A path under /api/ that matches no route (a malformed id, say) answers in the API's error format."""
    if not request.path.startswith("/api/"):
        return page_not_found(request, exception)
    not_found = exceptions.NotFound()
    return JsonResponse(_body(not_found, status.HTTP_404_NOT_FOUND), status=status.HTTP_404_NOT_FOUND)


def api_error_response(exc, fields=None):
    """The API's JSON error body for ``exc`` raised outside a view (in a middleware, say)."""
    body = {**_body(exc, exc.status_code), "fields": fields or {}}
    return JsonResponse(body, status=exc.status_code)
