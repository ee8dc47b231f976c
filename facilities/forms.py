from django import forms

from communities.forms import RecordForm

from .models import EnvironmentCheck, Facility


class CheckboxList(forms.CheckboxSelectMultiple):
    """A list of checkboxes that the shared form template lays out as one labelled group.

    Workaround, to be dropped once the shared form code handles code lists: the include
    templates/includes/form_fields.html takes any widget whose `input_type` is "checkbox" for a
    single checkbox (its label after the boxes), and core.forms.BootstrapMixin puts the class
    `form-check-input` on the list's wrapper too, which squeezes the whole list into a 1em box.
    """

    input_type = "checkbox-list"  # the group's own type: the template labels it like any field

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        option["type"] = "checkbox"  # each box is a plain checkbox
        option["attrs"]["class"] = "form-check-input me-1"
        return option

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"] = {**context["widget"]["attrs"], "class": "d-flex flex-wrap column-gap-4"}
        return context


class CodeListForm(RecordForm):
    """A record form whose code lists (ChoiceListField) show as checkbox groups."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget = CheckboxList(choices=field.choices)


class FacilityForm(CodeListForm):
    class Meta:
        model = Facility
        fields = [
            "community",
            "kind",
            "name",
            "address",
            "area_m2",
            "activity_area_m2",
            "has_yard_or_square",
            "rooms",
            "plaques",
            "windows",
            "procedures_posted",
            "one_stop_services",
            "stations",
            "functions",
            "publicity_boards",
            "disclosure_boards",
            "rural_boards",
            "electronic_screen",
            "equipment",
            "photo",
        ]


class EnvironmentCheckForm(CodeListForm):
    class Meta:
        model = EnvironmentCheck
        fields = [
            "community",
            "year",
            "four_links",
            "five_improvements",
            "five_ones",
            "five_nos_five_upgrades",
            "note",
            "evidence",
        ]
