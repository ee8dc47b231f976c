from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """A step out of order (API.md: 409), e.g. submitting a self-check twice or copying a draft."""

    def __init__(self, message: str, code: str = "conflict"):
        super().__init__(message, code=code)
