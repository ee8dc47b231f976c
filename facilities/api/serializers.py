from communities.api.records import RecordSerializer

from ..models import EnvironmentCheck, Facility

# docs/api.md: areas are numbers in square metres (money, elsewhere, is a decimal string).
AREA = {"coerce_to_string": False}


class FacilitySerializer(RecordSerializer):
    class Meta:
        model = Facility
        fields = [
            "id",
            "community",
            "kind",
            "name",
            "address",
            "area_m2",
            "activity_area_m2",
            "rooms",
            "plaques",
            "windows",
            "one_stop_services",
            "stations",
            "functions",
            "publicity_boards",
            "disclosure_boards",
            "rural_boards",
            "electronic_screen",
            "has_yard_or_square",
            "equipment",
            "procedures_posted",
            "photo",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"area_m2": AREA, "activity_area_m2": AREA}


class EnvironmentCheckSerializer(RecordSerializer):
    class Meta:
        model = EnvironmentCheck
        fields = [
            "id",
            "community",
            "year",
            "four_links",
            "five_improvements",
            "five_ones",
            "five_nos_five_upgrades",
            "note",
            "evidence",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
