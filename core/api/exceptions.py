"""docs/api.md's refusals for the errors that services raise: a step out of order (`core.exceptions.Conflict`)
is 409 {"detail"} (with its `code` and details when it carries any, such as the unjudged indicators), a Django ValidationError is 400 keyed by field (as serializers answer), and so is a
body that cannot be parsed (under "non_field_errors"): every 400 has the one shape docs/api.md gives. A job
the broker did not take (Redis down, `core.exceptions.JobsUnavailable`) is 503 {"detail"}. A body over
DATA_UPLOAD_MAX_MEMORY_SIZE is 413 {"detail"}, and a form with too many fields or files a 400."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.api.parsers import PayloadTooLarge
from core.exceptions import Conflict, JobsUnavailable


def handler(exc, context):
    if isinstance(exc, Conflict):
        body = {"detail": exc.messages[0]}
        if exc.details:  # e.g. the indicators still unjudged: {"detail", "code": "unjudged", "indicators"}
            body |= {"code": exc.code, **exc.details}
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, JobsUnavailable):
        return Response({"detail": exc.message}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = ParseError("表单的字段或文件过多。")
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail)
    if isinstance(exc, ParseError):
        exc = ValidationError({"non_field_errors": [f"请求体无法解析:{exc.detail}"]})
    if isinstance(exc, ValidationError):
        exc = ValidationError(field_keyed(exc.detail))
    return exception_handler(exc, context)


def field_keyed(detail) -> dict:
    """docs/api.md's {"field": ["message"]}: a bare list of messages goes under "non_field_errors", and the
    errors inside a list field (keyed by position) or a nested object become messages of the field
    that name the item."""
    if not isinstance(detail, dict):
        detail = {"non_field_errors": detail}
    return {field: _messages(value) for field, value in detail.items()}


def _messages(detail, prefix="") -> list:
    if isinstance(detail, dict):
        return [
            message for key, value in detail.items() for message in _messages(value, f"{prefix}{_place(key)}")
        ]
    if isinstance(detail, list):
        if not any(isinstance(item, dict | list) for item in detail):
            return [f"{prefix}{message}" for message in detail]
        return [
            message for i, item in enumerate(detail) for message in _messages(item, f"{prefix}第{i + 1}项:")
        ]
    return [f"{prefix}{detail}"]


def _place(key) -> str:
    return f"第{key + 1}项:" if isinstance(key, int) else f"{key}:"
