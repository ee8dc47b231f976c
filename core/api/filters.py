from rest_framework import filters

from core import privacy


class OrderingFilter(filters.OrderingFilter):
    """DRF's `?ordering=`, except by personal fields for callers who see them masked: the order of
    the rows would give away what the mask hides."""

    def get_valid_fields(self, queryset, view, context=None):
        valid = super().get_valid_fields(queryset, view, context)
        request = (context or {}).get("request")
        if privacy.sees_personal_data(getattr(request, "user", None)):
            return valid
        hidden = privacy.personal_fields(queryset.model)
        return [(name, label) for name, label in valid if name not in hidden]
