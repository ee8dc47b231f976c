from django import forms
from django.contrib.auth import get_user_model

from core.forms import DateInput, ScopedModelForm
from core.models import Unit

from .models import Community


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
        ]
        widgets = {"established_on": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        towns = self.fields["unit"].queryset.filter(tier=Unit.Tier.TOWN).select_related("parent")
        self.fields["unit"].queryset = towns
        self.fields["unit"].label_from_instance = lambda town: f"{town.parent.name} / {town.name}"
        if towns.count() == 1 and not self.instance.pk:
            self.fields["unit"].initial = towns.first()


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
