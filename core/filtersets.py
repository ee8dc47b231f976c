import datetime

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from . import exports
from .models import ExportLog, Job, Unit, User
from .roles import Role


def _visible_units(request):
    return Unit.objects.visible_to(request.user) if request else Unit.objects.none()


@extend_schema_field(OpenApiTypes.INT)
class UnitSubtreeFilter(django_filters.ModelChoiceFilter):
    """`?unit=<id>` matches everything under that unit. Only units the caller can see are valid
    choices, so a foreign unit id is a 400 on the field, never a probe into another subtree."""

    def __init__(self, *args, path_field: str = "unit__path", **kwargs):
        kwargs.setdefault("queryset", _visible_units)
        kwargs.setdefault("label", "单位")
        kwargs.setdefault("empty_label", "全部")
        kwargs.setdefault("method", self.filter_subtree)
        self.path_field = path_field
        super().__init__(*args, **kwargs)

    def filter_subtree(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(**{f"{self.path_field}__startswith": value.path})


MAX_ID = 2**63 - 1  # the largest a BigAutoField holds


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(django_filters.Filter):
    """`?year=` as a whole number. By default any year a date can hold: a `__year` lookup with 0 or
    10000 would fail in the database layer (a 500), so such a value is refused on the field instead.
    A filter on a programme year passes the record's YEAR_VALIDATORS."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "年度")
        kwargs.setdefault(
            "validators", [MinValueValidator(datetime.MINYEAR), MaxValueValidator(datetime.MAXYEAR)]
        )
        kwargs.setdefault("error_messages", {"invalid": "年度须为整数。"})
        super().__init__(*args, **kwargs)


class UnitFilterSet(django_filters.FilterSet):
    unit = UnitSubtreeFilter(path_field="path")
    parent = django_filters.ModelChoiceFilter(queryset=_visible_units, label="上级单位")

    class Meta:
        model = Unit
        fields = ["tier", "zone", "parent", "unit"]


class UserFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(method="search_users", label="搜索")
    unit = UnitSubtreeFilter()
    role = django_filters.ChoiceFilter(choices=Role.choices, label="角色", empty_label="全部")
    is_active = django_filters.BooleanFilter(
        label="状态", widget=forms.Select(choices=[("", "全部"), ("true", "启用"), ("false", "停用")])
    )

    class Meta:
        model = User
        fields = ["search", "unit", "role", "is_active"]

    def search_users(self, queryset, name, value):
        return queryset.filter(
            Q(username__icontains=value) | Q(full_name__icontains=value) | Q(phone__icontains=value)
        )


class JobFilterSet(django_filters.FilterSet):
    class Meta:
        model = Job
        fields = ["kind", "state"]


class ExportLogFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(method="search_users", label="导出人")
    unit = UnitSubtreeFilter()
    list_name = django_filters.ChoiceFilter(choices=exports.choices, label="导出内容", empty_label="全部")
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="起始日期")
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="截止日期")

    class Meta:
        model = ExportLog
        fields = ["search", "unit", "list_name", "since", "until"]

    def search_users(self, queryset, name, value):
        return queryset.filter(Q(user__username__icontains=value) | Q(user__full_name__icontains=value))
