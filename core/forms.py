from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import validate_password

from .models import Unit, User
from .validators import bound_messages


class CheckboxList(forms.CheckboxSelectMultiple):
    """A code list (e.g. a station's rooms) as a wrapped row of Bootstrap checkboxes: the class goes
    on each box, not on the group, which it would squeeze into one box's size."""

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        option["attrs"]["class"] = "form-check-input me-1"
        return option

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"] = {**context["widget"]["attrs"], "class": "d-flex flex-wrap column-gap-4"}
        return context


class BootstrapMixin:
    """Bootstrap 5 classes on every widget, so templates render fields with one include."""

    def apply_bootstrap(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                if not isinstance(widget, CheckboxList):
                    field.widget = CheckboxList(choices=field.choices, attrs=widget.attrs)
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ScopedModelForm(BootstrapMixin, forms.ModelForm):
    """A model form for `user`: every foreign-key choice is limited to the user's write scope, so a
    tampered POST naming another town's id fails validation like an id that does not exist.

    Editing a record that somebody else saved after this form was opened is refused rather than
    silently overwriting their change: the form carries the record's `updated_at` it was opened with.
    """

    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        stamp = getattr(self.instance, "updated_at", None)
        if self.instance.pk and stamp:
            self.fields["version"].initial = stamp.isoformat()
        else:
            del self.fields["version"]
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField) and not isinstance(field.widget, DateInput):
                field.widget = DateInput()  # the browser's date picker, ISO values
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "within_scope"):
                field.queryset = queryset.within_scope(user)
            if name in self._meta.model._meta._forward_fields_map:
                field.error_messages.update(bound_messages(self._meta.model._meta.get_field(name)))
        self.apply_bootstrap()

    def clean(self):
        cleaned = super().clean()
        opened_with = cleaned.get("version")
        if opened_with and opened_with != self.instance.updated_at.isoformat():
            raise forms.ValidationError("该记录在您编辑期间已被他人修改,请刷新页面后重新填写。", code="stale")
        return cleaned


class UserForm(ScopedModelForm):
    """Create or re-role a user. Units and roles are limited to the administrator's own scope."""

    password = forms.CharField(
        label="密码",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="新用户必填;编辑时留空则不修改。至少10位,不能全为数字。",
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "email", "unit", "role", "is_active"]
        labels = {"username": "登录名", "email": "电子邮箱", "is_active": "启用"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if not self.instance.pk:
            self.instance.tenant_id = user.tenant_id  # model validation checks unit against tenant
        self.fields["unit"].required = True
        self.fields["role"].required = True
        self.fields["full_name"].required = True
        self.fields["unit"].queryset = Unit.objects.within_scope(user).order_by("path")
        self.fields["unit"].label_from_instance = lambda unit: (
            f"{'— ' * (unit.path.count('/') - 1)}{unit.name}"
        )
        if self.instance.pk == user.pk:
            # Nobody can lock themselves out or change their own role.
            for name in ("unit", "role", "is_active"):
                self.fields[name].disabled = True

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if not password and not self.instance.pk:
            raise forms.ValidationError("新用户须设置密码。")
        if password:
            validate_password(password, self.instance)
        return password

    def save(self, commit=True):
        account = super().save(commit=False)
        if self.cleaned_data.get("password"):
            account.set_password(self.cleaned_data["password"])
        if commit:
            account.save()
        return account


class BulkUserForm(forms.Form):
    ACTIONS = [("disable", "停用"), ("enable", "启用")]
    action = forms.ChoiceField(choices=ACTIONS)
    users = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), error_messages={"required": "请先勾选用户。"}
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = User.objects.within_scope(user).exclude(pk=user.pk)


class PasswordChangeForm(BootstrapMixin, auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.apply_bootstrap()
