import django_filters
from django import forms
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import Job, Unit, User
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
