"""The API answers JSON, even when a view fails: Django's HTML error page (or, with debug on, its debug
page with the traceback and settings) never goes to an API caller. An unexpected exception on `/api/` is
logged as Django logs it and answered 500 {"detail"}; a body over DATA_UPLOAD_MAX_MEMORY_SIZE raised
outside DRF is 413 {"detail"}, and any other suspicious request 400. Exceptions raised before a view
runs (in middleware) reach `core.views.handler500`, which answers the same JSON on API paths."""

import logging

from django.core import signals
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse

logger = logging.getLogger("django.request")

SERVER_ERROR = "服务器内部错误,请稍后再试。"
TOO_LARGE = "请求体过大,超出允许的大小。"


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def json_response(body: dict, status: int) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def server_error() -> JsonResponse:
    return json_response({"detail": SERVER_ERROR}, 500)


class ApiErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_api(request) or isinstance(exception, Http404 | PermissionDenied):
            return None  # not the API's, or Django's own 404 and 403 answers
        if isinstance(exception, RequestDataTooBig):
            return json_response({"detail": TOO_LARGE}, 413)
        if isinstance(exception, SuspiciousOperation):
            logging.getLogger(f"django.security.{exception.__class__.__name__}").error(str(exception))
            return json_response({"non_field_errors": ["请求无效。"]}, 400)
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"status_code": 500, "request": request},
        )
        # As Django does for an uncaught exception (the test client re-raises it from this signal).
        signals.got_request_exception.send(sender=None, request=request)
        return server_error()
