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


def year_not_in_future(value):
    if value and value > timezone.localdate().year:
        raise ValidationError("年度不能晚于今年。", code="future_year")


# A record's year: from the programme's first years to this one.
YEAR_VALIDATORS = [MinValueValidator(2000, message="年度不能早于2000年。"), year_not_in_future]
