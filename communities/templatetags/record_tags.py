from django import template

from core import privacy

register = template.Library()


@register.simple_tag(takes_context=True)
def record_row(context, obj, record_type):
    """The list cells of one record, as the record type declares them and the viewer may see them."""
    privacy.redact(context["request"].user, obj)
    return record_type.row(obj)


@register.filter
def is_list(value):
    return isinstance(value, list)
