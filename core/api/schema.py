"""The schema declares every status code an endpoint can answer (docs/api.md), once for all views: the
refusals follow from what an operation has (a login, an id in the path, a page, a body, query filters),
so a new endpoint is declared correctly without an annotation. `make fuzz` checks it against the app."""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class UnjudgedConflictSerializer(ErrorSerializer):
    """The 409 of a step that waits for indicators to be judged (`core.exceptions.Conflict` with
    details): out of order it is {"detail"} alone; held back by unjudged indicators it names them."""

    code = serializers.CharField(required=False, help_text="unjudged:有指标尚未判定")
    indicators = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="尚未判定的指标代码"
    )


FIELD_ERRORS = {
    "type": "object",
    "description": '输入有误:按字段给出错误信息,如 {"households": ["户数必须为正整数。"]};'
    '与字段无关的(如请求体不是有效的 JSON)在 "non_field_errors" 下',
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}

# Query parameters that never refuse: a bad page is a 404, a bad page size or ordering is ignored.
UNCHECKED_QUERY = {"page", "page_size", "ordering", "search"}


class AutoSchema(BaseAutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code, (schema, description) in self._refusals(operation).items():
            responses.setdefault(
                code, self._get_response_for_code(OpenApiResponse(schema, description), code)
            )
        return operation

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        # An answer shows what the column holds: a nullable column (a sub-committee whose leader was
        # deleted) can be null even where a request may not send null.
        if direction == "response" and _nullable_column(field):
            meta["nullable"] = True
        return meta

    def _refusals(self, operation) -> dict:
        public = getattr(self.view, "authentication_classes", None) == []
        refusals = {}
        if not public:
            refusals["401"] = (ErrorSerializer, "未登录或令牌无效")
            refusals["403"] = (ErrorSerializer, "当前角色无权执行此操作")
        if "{" in self.path:
            refusals["404"] = (ErrorSerializer, "对象不存在" if public else "对象不存在或不在您的管辖范围内")
        elif self.method == "GET" and self._is_list_view() and self._get_paginator():
            refusals["404"] = (ErrorSerializer, "页码超出范围")
        checked_query = {
            parameter["name"] for parameter in operation.get("parameters", ()) if parameter["in"] == "query"
        } - UNCHECKED_QUERY
        # A filterset also checks the query of a detail route (DRF's get_object filters the queryset).
        filtered = bool(
            getattr(self.view, "filter_backends", None) and getattr(self.view, "filterset_class", None)
        )
        if self.method in ("POST", "PUT", "PATCH") or checked_query or filtered:
            refusals["400"] = (FIELD_ERRORS, "输入有误")
        if self.method in ("POST", "PUT", "PATCH"):  # a body over DATA_UPLOAD_MAX_MEMORY_SIZE
            refusals["413"] = (ErrorSerializer, "请求体过大")
        # A delete can meet a protected reference or a rule (an enrolment under review) at any view.
        if self.method == "DELETE" or (
            self.method != "GET" and getattr(self.view, "conflict_possible", False)
        ):
            refusals["409"] = (ErrorSerializer, "当前状态下不能执行此步骤")
        refusals["429"] = (ErrorSerializer, "请求过于频繁")
        # Accepted for a background job: refused when the broker does not take it (core.tasks.dispatch).
        if "202" in operation["responses"]:
            refusals["503"] = (ErrorSerializer, "后台任务服务暂时不可用,任务未能开始")
        return refusals


def _nullable_column(field) -> bool:
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        column = model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return False
    return column.concrete and not column.many_to_many and column.null
