import django_filters

from communities.filtersets import RecordFilterSet

from .models import Member


class MemberFilterSet(RecordFilterSet):
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="姓名")

    class Meta:
        model = Member
        fields = ["community", "unit", "search", "body", "role", "full_time"]
