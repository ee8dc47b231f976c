"""Forms of the designation and enrolment pages."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone

from core.filtersets import MAX_ID
from core.forms import BootstrapMixin
from core.models import Tenant, Unit
from core.roles import Tier
from core.validators import YEAR_VALIDATORS, bound_messages


class RevokeForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label="撤销原因",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写撤销原因。"},
        help_text="撤销后证书仍可下载,但加盖“已撤销”标记;公开核验显示为已撤销。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.apply_bootstrap()


class IssueDistrictForm(forms.Form):
    district = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        error_messages={"required": "请选择区县。", "invalid_choice": "请选择本市的区县。"},
    )
    year = forms.IntegerField(
        error_messages={"required": "请填写年度。", "invalid": "年度须为整数。"},
        validators=[
            MinValueValidator(2000, message="年度不能早于2000年。"),
        ],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = Unit.objects.within_scope(user).filter(tier=Tier.DISTRICT)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError("年度不能晚于今年。")
        return year


class CitySettingsForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Tenant
        fields = ["designation_valid_years", "model_district_share"]
        help_texts = {
            "designation_valid_years": "新授予的称号自授予之日起的有效年数(1至10年);已授予的称号不受影响。",
            "model_district_share": "区县内持有示范(或精品)称号的社区占全部社区的比例达到此值,方可授予示范区。",
        }
        error_messages = {
            "designation_valid_years": {"required": "请填写有效期年数。", "invalid": "有效期须为整数年。"},
            "model_district_share": {
                "required": "请填写示范社区占比。",
                "invalid": "请填写数字,如 50 或 62.5。",
                "max_digits": "比例须在0至100之间。",
                "max_decimal_places": "比例最多保留两位小数。",
                "max_whole_digits": "比例须在0至100之间。",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.error_messages.update(bound_messages(Tenant._meta.get_field(name)))
        self.apply_bootstrap()


# At most this many community ids in one save (a page shows 50; the API clamps pages to 500).
MAX_IDS = 500


class CommunityIdsField(forms.Field):
    """A list of community ids from repeated inputs of one name."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return set()
        if not isinstance(value, list | tuple):
            value = [value]
        if len(value) > MAX_IDS:
            raise ValidationError(f"一次最多保存{MAX_IDS}个社区。")
        try:
            ids = {int(item) for item in value}
        except (TypeError, ValueError):
            raise ValidationError("提交的社区编号无效。") from None
        if any(not 0 < pk <= MAX_ID for pk in ids):
            raise ValidationError("提交的社区编号无效。")
        return ids


class EnrolmentSaveForm(forms.Form):
    year = forms.IntegerField(
        validators=YEAR_VALIDATORS,
        error_messages={"required": "请填写年度。", "invalid": "年度须为整数。"},
    )
    shown = CommunityIdsField(required=False)
    enrolled = CommunityIdsField(required=False)

    def clean(self):
        cleaned = super().clean()
        if len(cleaned.get("shown", set()) | cleaned.get("enrolled", set())) > MAX_IDS:
            raise ValidationError(f"一次最多保存{MAX_IDS}个社区。")
        return cleaned
