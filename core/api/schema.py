from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


FIELD_ERRORS = {
    "type": "object",
    "description": '输入有误:按字段给出错误信息,如 {"households": ["户数必须为正整数。"]}',
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


class AutoSchema(BaseAutoSchema):
    """Declares every refusal an endpoint can answer (API.md: 400/401/403/404/409/429)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        view = self.view
        refusals = {
            "401": "未登录或令牌无效",
            "403": "当前角色无权执行此操作",
            "429": "请求过于频繁",
        }
        if self._is_detail_operation():
            refusals["404"] = "对象不存在或不在您的管辖范围内"
        if getattr(view, "conflict_possible", False):
            refusals["409"] = "当前状态下不能执行此步骤"
        if getattr(view, "authentication_classes", None) == []:
            refusals = {"429": refusals["429"]}
            if self._is_detail_operation():
                refusals["404"] = "对象不存在"
        for code, description in refusals.items():
            responses.setdefault(
                code, self._get_response_for_code(OpenApiResponse(ErrorSerializer, description), code)
            )
        if self.method in ("POST", "PUT", "PATCH") or self._has_query_filters():
            responses.setdefault("400", self._get_response_for_code(OpenApiResponse(FIELD_ERRORS), "400"))
        return responses

    def _is_detail_operation(self):
        return "{" in self.path

    def _has_query_filters(self):
        return self.method == "GET" and bool(getattr(self.view, "filterset_class", None))
