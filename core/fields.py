"""Model fields shared by the records apps."""

import magic
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.template.defaultfilters import filesizeformat


class ChoiceListField(models.JSONField):
    """A list of codes from a fixed set (e.g. a station's rooms), stored as JSON.

    Forms show checkboxes; the API takes and returns the list of codes; unknown codes are refused.
    """

    def __init__(self, *args, item_choices=(), **kwargs):
        self.item_choices = list(item_choices)
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["item_choices"] = self.item_choices
        return name, path, args, kwargs

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        allowed = {code for code, _ in self.item_choices}
        unknown = [code for code in value or [] if code not in allowed]
        if unknown:
            raise ValidationError(f"未知的选项:{'、'.join(map(str, unknown))}。", code="invalid_choice")

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=self.item_choices,
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text,
            widget=forms.CheckboxSelectMultiple,
        )

    def labels(self, codes) -> list[str]:
        names = dict(self.item_choices)
        return [names.get(code, code) for code in codes or []]


def validate_evidence(upload):
    """Evidence is judged by its bytes, not its name: a renamed .exe is not a PDF."""
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            f"文件过大({filesizeformat(upload.size)}),上限为 {filesizeformat(settings.EVIDENCE_MAX_BYTES)}。",
            code="too_large",
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(position)
    kind = magic.from_buffer(head, mime=True)
    if kind not in settings.EVIDENCE_TYPES:
        allowed = "、".join(settings.EVIDENCE_TYPES.values())
        raise ValidationError(f"不支持的文件类型({kind}),请上传 {allowed}。", code="bad_type")


class EvidenceField(models.FileField):
    """An uploaded document or photo (minutes, charters, photos). Stored under MEDIA_ROOT, which is
    outside the web root, and served only by a scoped view."""

    default_validators = [validate_evidence]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("upload_to", "evidence/%Y/%m/")
        kwargs.setdefault("blank", True)
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)
