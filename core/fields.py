"""Model fields shared by the records apps, and the names uploads are stored and served under."""

import re
import unicodedata
from urllib.parse import quote

import magic
from django import forms
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
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


# The extension each accepted type is stored and served under, whatever the caller named the file.
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}
UNKNOWN_TYPE = "application/octet-stream"
NAME_MAX_CHARS = 80
_UNSAFE_CHARS = set("<>\"'&/\\:*?|%;`")


def detect_type(file) -> str:
    """The MIME type of a file's first bytes (python-magic), leaving its position where it was."""
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(4096)
    file.seek(position)
    return magic.from_buffer(head, mime=True)


def safe_stem(name: str) -> str:
    """The caller's base name without its extension, path parts, markup or control characters
    (Chinese is kept), at most NAME_MAX_CHARS characters; "材料" when nothing is left."""
    base = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, _ = base.rpartition(".")
    if not dot or not stem.strip("."):
        stem = base
    kept = "".join(
        ch for ch in stem if ch not in _UNSAFE_CHARS and not unicodedata.category(ch).startswith("C")
    )
    return kept.strip(" .")[:NAME_MAX_CHARS].strip(" .") or "材料"


def typed_name(name: str, kind: str) -> str:
    """The name a file of type `kind` is stored or served under: the caller's sanitised base name
    and the extension of the detected type (`.bin` for a type with none)."""
    return safe_stem(name) + EXTENSIONS.get(kind, ".bin")


def attachment_header(name: str, fallback: str = "download") -> str:
    """The Content-Disposition of a download named `name` (Chinese allowed). Browsers read the
    RFC 5987 `filename*` (UTF-8, percent-encoded); a client that knows only `filename` gets an ASCII
    name: `fallback` and the ASCII parts of the name (its date), with its extension."""
    if name.isascii() and not set(name) & set('"\\;'):
        return f'attachment; filename="{name}"'
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    ascii_parts = re.sub(r"[^A-Za-z0-9]+", "-", stem.encode("ascii", "ignore").decode()).strip("-")
    extension = re.sub(r"[^A-Za-z0-9]", "", extension)
    if not stem.isascii() or not ascii_parts:
        ascii_parts = "-".join(part for part in (fallback, ascii_parts) if part)
    plain = ascii_parts + (f".{extension}" if extension else "")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def served_type(kind: str) -> str:
    """The Content-Type a stored file is served with: its detected type when it is one we accept,
    otherwise an opaque download."""
    return kind if kind in EXTENSIONS else UNKNOWN_TYPE


def stored_file(obj, field_name: str):
    """The file held in `obj`'s file field `field_name`; None for an empty field, a field that is no
    file field or a name that is no field at all (a download route then answers 404)."""
    try:
        model_field = type(obj)._meta.get_field(field_name)
    except FieldDoesNotExist:
        return None
    if not isinstance(model_field, models.FileField):
        return None
    return getattr(obj, field_name) or None


def validate_evidence(upload):
    """Evidence is judged by its bytes, not its name: a renamed .exe is not a PDF."""
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            f"文件过大({filesizeformat(upload.size)}),上限为 {filesizeformat(settings.EVIDENCE_MAX_BYTES)}。",
            code="too_large",
        )
    kind = detect_type(upload)
    if kind not in settings.EVIDENCE_TYPES:
        allowed = "、".join(settings.EVIDENCE_TYPES.values())
        raise ValidationError(f"不支持的文件类型({kind}),请上传 {allowed}。", code="bad_type")


class EvidenceField(models.FileField):
    """An uploaded document or photo (minutes, charters, photos). Stored under MEDIA_ROOT, which is
    outside the web root, and served only by a scoped view. A new file is stored under the caller's
    sanitised base name with the extension of its detected type (PDF bytes named `x.html` are stored
    as `x.pdf`)."""

    default_validators = [validate_evidence]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("upload_to", "evidence/%Y/%m/")
        kwargs.setdefault("blank", True)
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            file.name = typed_name(file.name, detect_type(file.file))
        return super().pre_save(model_instance, add)
