"""Forms for editing a draft edition in the browser: the edition itself, an indicator's level, weight
and rule, and a city's own auto indicator. A threshold is entered as a number or fraction ("300",
"0.1", "2/3"), a measure times a factor, a range, a set of items, or (advanced) JSON; it is parsed,
never evaluated, and validated by `thresholds.validate_rule` like every other entry point, with
Chinese messages on the field the user filled in."""

from django import forms
from django.utils import timezone

from core.models import Unit
from core.validators import YEAR_VALIDATORS


class SelfCheckRunForm(forms.Form):
    """Run self-checks for a year over one of the caller's units (their own by default)."""

    year = forms.IntegerField(label="年度", validators=YEAR_VALIDATORS)
    unit = forms.ModelChoiceField(label="范围", queryset=Unit.objects.none(), empty_label=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        self.fields["year"].widget.attrs.update({"class": "form-control", "style": "width:7rem"})
        units = Unit.objects.within_scope(user).order_by("path")
        self.fields["unit"].queryset = units
        self.fields["unit"].initial = user.unit_id
        self.fields["unit"].label_from_instance = lambda unit: f"{unit.name}({unit.get_tier_display()})"
        self.fields["unit"].widget.attrs["class"] = "form-select"
