from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone


def not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError("日期不能晚于今天。", code="future_date")


def bound_messages(model_field) -> dict[str, str]:
    """The model's own messages for min/max bounds. Form and serializer fields check bounds
    themselves with generic wording; they take these so every entry point says the same thing."""
    messages = {}
    for validator in model_field.validators:
        if isinstance(validator, MinValueValidator) and validator.message != MinValueValidator.message:
            messages["min_value"] = validator.message
        if isinstance(validator, MaxValueValidator) and validator.message != MaxValueValidator.message:
            messages["max_value"] = validator.message
    return messages
