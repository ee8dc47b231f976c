from communities.forms import RecordForm

from .models import EnvironmentCheck, Facility


class FacilityForm(RecordForm):
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


class EnvironmentCheckForm(RecordForm):
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
