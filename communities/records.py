"""The registry of community record types.

Each records app declares its record types here once (in its own `records.py`, imported from its
AppConfig.ready). From one declaration the portal builds the record's pages (list, detail, create,
edit, delete, history), its REST endpoint, its Excel export and its section on the community page,
all through the shared scope. Adding a record type is a model, a form, a serializer, a filterset and
one `register()` call: no new view, URL or template.
"""

from dataclasses import dataclass, field

from django.db import models
from django.http import Http404
from django.urls import reverse

from core import exports
from core.fields import ChoiceListField


@dataclass(frozen=True)
class RecordType:
    slug: str  # URL segment and API resource name, e.g. "members"
    model: type
    form: type
    serializer: type
    filterset: type
    columns: tuple[str, ...]  # fields shown in lists and exports, after the community
    section: str  # heading on the community page: 人员, 设施, 社区生活, 经费
    ordering: tuple[str, ...] = ("-pk",)
    select_related: tuple[str, ...] = field(default=("community__unit",))

    @property
    def title(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def headers(self) -> list[str]:
        return [str(self.model._meta.get_field(name).verbose_name) for name in self.columns]

    def row(self, obj) -> list:
        return [display_value(obj, name) for name in self.columns]

    def url(self, name: str, obj=None) -> str:
        if obj is None:
            return reverse(f"record-{name}", kwargs={"slug": self.slug})
        return reverse(f"record-{name}", kwargs={"slug": self.slug, "pk": obj.pk})


_REGISTRY: dict[str, RecordType] = {}
SECTIONS = ["人员", "设施", "社区生活", "经费"]


def register(record_type: RecordType) -> RecordType:
    _REGISTRY[record_type.slug] = record_type
    exports.register(
        exports.ExportSpec(
            name=record_type.slug,
            title=record_type.title,
            model=record_type.model,
            filterset=record_type.filterset,
            select_related=record_type.select_related + ("community__unit__parent",),
            columns=[
                (exports.ID_HEADER, lambda obj: obj.pk),
                ("区县", lambda obj: obj.community.unit.parent.name),
                ("乡镇(街道)", lambda obj: obj.community.unit.name),
                ("社区", lambda obj: obj.community.name),
                *[
                    (str(record_type.model._meta.get_field(name).verbose_name), _exporter(name))
                    for name in record_type.columns
                ],
            ],
        )
    )
    return record_type


def _exporter(name):
    return lambda obj: _plain(display_value(obj, name))


def _plain(value):
    return "、".join(value) if isinstance(value, list) else value


def find(slug: str) -> RecordType | None:
    return _REGISTRY.get(slug)


def get(slug: str) -> RecordType:
    record_type = find(slug)
    if record_type is None:
        raise Http404
    return record_type


def all_types() -> list[RecordType]:
    return sorted(_REGISTRY.values(), key=lambda rt: (SECTIONS.index(rt.section), rt.slug))


def for_model(model) -> RecordType | None:
    return next((rt for rt in _REGISTRY.values() if rt.model is model), None)


def display_value(obj, name: str):
    """A field's value as people read it: choice labels, 是/否, code lists as labels, "—" for empty.
    File fields give the file's name; templates link it to the scoped download view."""
    model_field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if isinstance(model_field, ChoiceListField):
        return model_field.labels(value)
    if model_field.choices:
        return getattr(obj, f"get_{name}_display")()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(model_field, models.FileField):
        return value.name.rsplit("/", 1)[-1] if value else "—"
    if value is None or value == "":
        return "—"
    if isinstance(model_field, models.ForeignKey):
        return str(value)
    return value
