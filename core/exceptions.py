from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError


class Conflict(ValidationError):
    """A step out of order (docs/api.md: 409), e.g. submitting a self-check twice or copying a draft.
    `details` are machine-readable facts the API's 409 adds to its body beside the message and `code`
    (e.g. the indicators still unjudged); a conflict without them answers {"detail"} alone."""

    def __init__(self, message: str, code: str = "conflict", details: dict | None = None):
        super().__init__(message, code=code)
        self.details = dict(details or {})


def delete_or_refuse(instance) -> None:
    """Deletes `instance` in its own transaction. One that other records still need (PROTECT) is
    refused as a Conflict, in the same words on pages and in the API."""
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError as exc:
        raise Conflict(f"“{instance}”已被其他记录(如称号、已审核的自查)引用,不能删除。") from exc


class JobsUnavailable(Exception):
    """The broker did not take a job's message (Redis down): the job is marked failed, never left queued,
    and the caller says so (a message on the page, 503 in the API)."""

    message = "后台任务服务暂时不可用,任务未能开始,请稍后再试。"

    def __init__(self):
        super().__init__(self.message)
