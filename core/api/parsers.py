"""The API's body parsers: every body that cannot be read is a refusal, never a server error.

A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE is 413 {"detail"}: DRF reads JSON and form bodies through
Django's `request.body`, which raises RequestDataTooBig (answered 413 by the exception handler), and the
parsers hold the bytes they read to the same limit (`PayloadTooLarge`). JSON that is no JSON, or that nests
deeper than `MAX_DEPTH` (a thousand "[" made the standard library's decoder raise RecursionError), is a
ParseError, which the exception handler answers 400 under "non_field_errors"."""

from django.conf import settings
from django.http import QueryDict
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.utils import json

from core.api.middleware import TOO_LARGE

# No record the API takes nests deeper than a few levels; this leaves room and stays far below the
# interpreter's recursion limit for everything that walks the data afterwards.
MAX_DEPTH = 32


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = TOO_LARGE
    default_code = "payload_too_large"


def read_limited(stream, parser_context) -> bytes:
    """The body, refused with 413 when its declared length or the bytes actually sent exceed the limit."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    request = (parser_context or {}).get("request")
    if limit is not None and request is not None:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            raise PayloadTooLarge()
    body = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(body) > limit:
        raise PayloadTooLarge()
    return body


def too_deep(data, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects nest deeper than `limit`, found without recursion."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        if depth > limit:
            return True
        pending.extend((item, depth + 1) for item in value)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = read_limited(stream, parser_context)
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(f"无法按 {encoding} 解码:{exc.reason}") from None
        try:
            data = json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except RecursionError:
            raise ParseError(f"JSON 嵌套过深(最多 {MAX_DEPTH} 层)。") from None
        except ValueError as exc:
            raise ParseError(f"JSON 格式错误 - {exc}") from None
        if too_deep(data):
            raise ParseError(f"JSON 嵌套过深(最多 {MAX_DEPTH} 层)。")
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = read_limited(stream, parser_context)
        return QueryDict(body, encoding=parsers.get_encoding(parser_context or {}))


# Multipart bodies are read by Django's parser, which holds fields (not files) to the same limit and
# raises RequestDataTooBig: the exception handler answers that 413 too.
MultiPartParser = parsers.MultiPartParser

PARSER_CLASSES = [JSONParser, FormParser, MultiPartParser]
