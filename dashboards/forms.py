from django import forms
from django.utils import timezone

from core.models import Unit
from core.validators import YEAR_VALIDATORS


class StatsQueryForm(forms.Form):
    """The year and unit of a dashboard or a `stats/` answer: this year and the caller's own unit by
    default; a unit outside the caller's subtree (even one above it) is refused, because its figures
    would be those of the caller's part labelled as the whole."""

    year = forms.IntegerField(
        label="年度",
        required=False,
        validators=YEAR_VALIDATORS,
        error_messages={"invalid": "请填写有效的年度。"},
    )
    unit = forms.ModelChoiceField(
        label="单位",
        queryset=Unit.objects.none(),
        required=False,
        error_messages={"invalid_choice": "该单位不存在或不在您的管辖范围内。"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = Unit.objects.within_scope(user)

    def clean_year(self):
        return self.cleaned_data["year"] or timezone.localdate().year

    def clean_unit(self):
        return self.cleaned_data["unit"] or self.user.unit
