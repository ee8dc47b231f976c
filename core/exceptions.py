from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """A step out of order (API.md: 409), e.g. submitting a self-check twice or copying a draft."""

    def __init__(self, message: str, code: str = "conflict"):
        super().__init__(message, code=code)


class JobsUnavailable(Exception):
    """The broker did not take a job's message (Redis down): the job is marked failed, never left queued,
    and the caller says so (a message on the page, 503 in the API)."""

    message = "后台任务服务暂时不可用,任务未能开始,请稍后再试。"

    def __init__(self):
        super().__init__(self.message)
