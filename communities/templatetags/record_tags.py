from django import template

register = template.Library()


@register.filter
def record_row(obj, record_type):
    """The list cells of one record, as the record type declares them."""
    return record_type.row(obj)


@register.filter
def is_list(value):
    return isinstance(value, list)
