import magic
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model

from core.forms import ScopedModelForm
from core.models import Unit

from .models import Community, TownRecognition


class CommunityForm(ScopedModelForm):
    class Meta:
        model = Community
        fields = [
            "unit",
            "name",
            "kind",
            "subtype",
            "households",
            "residents",
            "established_on",
            "address",
            "phone",
            "filed_on",
            "occupancy_percent",
            "party_members",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        unit = self.fields.get("unit")  # the Excel import places the town itself
        if unit is not None:
            unit.queryset = unit.queryset.filter(tier=Unit.Tier.TOWN).select_related("parent")
            unit.label_from_instance = lambda town: f"{town.parent.name} / {town.name}"
            if not self.is_bound and not self.instance.pk and unit.queryset.count() == 1:
                unit.initial = unit.queryset.first()


class GrantViewerForm(forms.Form):
    """A city officer names one user of the city (e.g. an inspector) who may read this community."""

    username = forms.CharField(label="登录名", max_length=150)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["username"].widget.attrs["class"] = "form-control"

    def clean_username(self):
        name = self.cleaned_data["username"]
        account = (
            get_user_model().objects.within_scope(self.user).filter(username=name, is_active=True).first()
        )
        if account is None:
            raise forms.ValidationError("本市没有这个启用中的用户。")
        return account


class RecordForm(ScopedModelForm):
    """Base form of every community record: the community choice is the user's own communities,
    preselected when there is only one or when the page came from a community."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        community = self.fields.get("community")
        if community is not None:
            community.queryset = community.queryset.select_related("unit").order_by("unit__name", "name")
            community.label_from_instance = lambda c: f"{c.unit.name} / {c.name}"
            if not self.is_bound and not self.instance.pk and community.queryset.count() == 1:
                community.initial = community.queryset.first()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    workbook = forms.FileField(label="Excel 工作簿(.xlsx)")
    check_only = forms.BooleanField(label="只校验,不保存", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workbook"].widget.attrs["class"] = "form-control"
        self.fields["check_only"].widget.attrs["class"] = "form-check-input"

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        if upload.size > settings.EVIDENCE_MAX_BYTES:
            raise forms.ValidationError("文件过大。")
        if magic.from_buffer(upload.read(4096), mime=True) != XLSX:
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 工作簿(可先下载模板)。")
        upload.seek(0)
        # The zip's unpacked size is checked here, from its directory, in no time; the rows are
        # counted by the import job as it streams them (counting them here would read the file twice).
        from . import imports  # the import module builds on this module's forms

        try:
            imports.open_workbook(upload).close()
        except imports.WorkbookRefused as exc:
            raise forms.ValidationError(str(exc), code="too_large") from exc
        finally:
            upload.seek(0)
        return upload


class TownRecognitionForm(ScopedModelForm):
    class Meta:
        model = TownRecognition
        fields = ["unit", "year", "recognised", "evidence", "confirmed_by_district", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["unit"].queryset = self.fields["unit"].queryset.filter(tier=Unit.Tier.TOWN)
        # Confirmation is the district's, in the review workflow; the town sees it but cannot set it.
        self.fields["confirmed_by_district"].disabled = True
