"""API.md's refusals for the errors that services raise: a step out of order (`core.exceptions.Conflict`)
is 409 {"detail"}, a Django ValidationError is 400 keyed by field (as serializers answer)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.exceptions import Conflict


def handler(exc, context):
    if isinstance(exc, Conflict):
        return Response({"detail": exc.messages[0]}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail)
    return exception_handler(exc, context)
