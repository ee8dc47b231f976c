from django.core.exceptions import ValidationError
from django.utils import timezone


def not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError("日期不能晚于今天。", code="future_date")
