"""OpenAPI additions shared by every endpoint: the error responses, If-Match and ETag headers."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from .serializers import ErrorSerializer
from .views import OBJECT_ACTIONS

ERRORS = {
    400: _("请求数据有误:fields 中按字段(批量接口按条目序号)列出原因。"),
    401: _("未认证:缺少令牌,或令牌无效、已吊销。"),
    403: _("无权执行此操作:审阅人只读;县级录入员只能修改本县的记录。"),
    404: _("记录不存在,或不在您的区域范围内。"),
    406: _("不支持所请求的响应格式:本接口只返回 JSON。"),
    409: _("记录仍被其他记录引用,不能删除。"),
    412: _("If-Match 中的版本已过期:记录在读取之后被修改过。"),
    415: _("请求体格式不受支持:请以 application/json 提交。"),
    428: _("缺少 If-Match 请求头。"),
    429: _("请求过于频繁:该令牌超出了速率限制,请按 Retry-After 秒数后重试。"),
}
WRITE_METHODS = {"PUT", "PATCH", "DELETE"}
NO_CONTENT = _("已删除;响应没有正文。")


ACTIONS = {
    "list": _("列出您区域范围内的%(name)s;可按下列参数筛选,用 ordering 排序(前加 - 为倒序),用 search 搜索。"),
    "retrieve": _("读取一条%(name)s;响应头 ETag 为其版本号。"),
    "create": _("新建一条%(name)s;县级录入员只能在本县范围内新建。"),
    "update": _("整体修改一条%(name)s;必须在 If-Match 中回传读取时的 ETag。"),
    "partial_update": _("部分修改一条%(name)s;必须在 If-Match 中回传读取时的 ETag。"),
    "destroy": _("删除一条%(name)s;必须在 If-Match 中回传读取时的 ETag。"),
}


def chinese_first_info(result, generator, request, public):
    """Title and introduction in the language the schema is asked in (Chinese unless ``?lang=en``).

    A postprocessing hook: spectacular's TITLE and DESCRIPTION settings are plain strings, read once.
    """
    result["info"]["title"] = str(_("经济发达镇改革台账 API"))
    result["info"]["description"] = str(
        _(
            "经济发达镇行政管理体制改革台账的接口:放权赋能、机构编制、双重考核、财政扶持的记录与统计。"
            "用服务账户令牌认证(Authorization: Token trk_…);只能读写令牌所属区域范围内的记录。"
            "修改和删除须在 If-Match 中回传读取时的 ETag。错误一律返回 status、code、detail、fields。"
        )
    )
    return result


class LedgerAutoSchema(AutoSchema):
    def get_description(self):
        action = getattr(self.view, "action", None)
        meta = getattr(getattr(self.view, "serializer_class", None), "Meta", None)
        if action not in ACTIONS or meta is None:
            return super().get_description()
        return str(ACTIONS[action] % {"name": meta.model._meta.verbose_name_plural})

    def _map_basic_serializer(self, serializer, direction):
        """A record's component is described by its model's name, not by the docstring of a shared base class."""
        schema = super()._map_basic_serializer(serializer, direction)
        model = getattr(getattr(serializer, "Meta", None), "model", None)
        if model is not None:
            schema["description"] = str(model._meta.verbose_name)
        return schema

    def _error_codes(self):
        # Lists answer 404 too: a page or cursor past the end, or a malformed one.
        codes = {401, 403, 404, 406, 429}
        if self.method in {"GET", "POST", "PUT", "PATCH"}:
            codes.add(400)  # invalid body, or a filter value of the wrong type
        if self.method in {"POST", "PUT", "PATCH"}:
            codes.add(415)
        if self.method in WRITE_METHODS:
            codes |= {412, 428}
        if self.method == "DELETE":
            codes.add(409)
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if "204" in responses:
            responses["204"]["description"] = str(NO_CONTENT)
        for code in self._error_codes():
            error = OpenApiResponse(response=ErrorSerializer, description=str(ERRORS[code]))
            responses.setdefault(str(code), self._get_response_for_code(error, str(code), direction=direction))
        return responses

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method in WRITE_METHODS and "{" in self.path:
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    required=True,
                    description=_('读取记录时响应中的 ETag(记录的版本号),如 "3"。'),
                )
            )
        if self._has_etag():
            parameters.append(
                OpenApiParameter(
                    "ETag",
                    str,
                    OpenApiParameter.HEADER,
                    response=[200, 201],
                    description=_("记录的当前版本,修改或删除时放在 If-Match 中回传。"),
                )
            )
        return parameters

    def _has_etag(self):
        meta = getattr(getattr(self.view, "serializer_class", None), "Meta", None)
        return getattr(self.view, "action", None) in OBJECT_ACTIONS and hasattr(getattr(meta, "model", None), "version")


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(_("服务账户令牌,格式:Token trk_…(由管理员创建,只显示一次)")),
        }
