import datetime
import re

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


# Phone numbers as offices and people in mainland China write them. Every phone field of the portal
# takes this one validator, so that pages, API and Excel import refuse the same input (and nothing but
# digits, a few separators and an optional "+86" can reach a file a district opens):
# - a mobile number, 11 digits from 13… to 19…, optionally written 139-1234-5678;
# - a landline: the local number of 7 or 8 digits, after the area code 0xx/0xxx (followed by "-" or
#   a space, or in parentheses) or alone (then not starting with 0 or 1), and an optional extension
#   after "-" or "转": 6288123, 62881234, 0551-62881234, (0551)62881234, 0551-62881234-8001;
# - a service number: the five-digit hotlines 1xxxx and 95xxx/96xxx (12345, 95588) and the
#   nationwide 400/800 numbers (400-123-4567).
# Anything else (letters, formulas, several numbers in one field) is refused.
_MOBILE = r"(?:\+86[- ]?)?1[3-9]\d-?\d{4}-?\d{4}"
_AREA = r"(?:0\d{2,3}[- ]?|[(（]0\d{2,3}[)）] ?)"
_LANDLINE = rf"(?:{_AREA}\d{{7,8}}|[2-9]\d{{6,7}})(?:(?:-|转)\d{{1,6}})?"
_SERVICE = r"1\d{4}|9[56]\d{3}|[48]00-?\d{3}-?\d{4}"
PHONE_RE = re.compile(rf"(?:{_MOBILE}|{_LANDLINE}|{_SERVICE})", re.ASCII)  # ASCII digits only
PHONE_MESSAGE = "请填写正确的电话号码,如 13912345678 或 0551-62881234。"


def validate_phone(value):
    if value and not PHONE_RE.fullmatch(str(value)):
        raise ValidationError(PHONE_MESSAGE, code="invalid_phone")


# Characters that are not seen but change what is: the bidirectional embeddings, overrides and
# isolates (U+202A–U+202E, U+2066–U+2069) make "社区甲" display as another string, and the zero-width
# characters (U+200B–U+200F, U+2060, U+FEFF) make two names that look the same differ. A name of a
# person, a unit or a community is read by people and matched by the portal, so none may hold them.
INVISIBLE_CHARS = frozenset(
    chr(code)
    for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0x200B, 0x2010), 0x2060, 0xFEFF)
)


def validate_visible_text(value):
    found = sorted({char for char in str(value or "") if char in INVISIBLE_CHARS})
    if found:
        codes = "、".join(f"U+{ord(char):04X}" for char in found)
        raise ValidationError(
            f"名称中不能含有看不见的字符或文字方向控制字符({codes}),请删除后重新填写。", code="invisible_char"
        )


# Every field holding such a name takes these (forms, API and Excel import all run model validators).
NAME_VALIDATORS = [validate_visible_text]

# A community's founding date: not before the People's Republic, not in the future.
ESTABLISHED_ON_VALIDATORS = [
    MinValueValidator(datetime.date(1949, 10, 1), message="成立日期不能早于1949年10月1日。"),
    not_in_future,
]
