"""Page forms of the community-life record types (see communities/record_types.py)."""

from django import forms

from .forms import RecordForm
from .models import (
    Activity,
    Disclosure,
    Meeting,
    MemberVillage,
    Organization,
    VillageRecognition,
    VolunteerRegistration,
)

SHORT_TEXT = forms.Textarea(attrs={"rows": 3})


class OrganizationForm(RecordForm):
    class Meta:
        model = Organization
        fields = ["community", "kind", "name", "registered_on", "members_count", "hangs_plaque", "note"]
        widgets = {"note": SHORT_TEXT}


class ActivityForm(RecordForm):
    class Meta:
        model = Activity
        fields = ["community", "kind", "held_on", "title", "participants", "note"]
        widgets = {"note": SHORT_TEXT}


class MeetingForm(RecordForm):
    class Meta:
        model = Meeting
        fields = ["community", "kind", "held_on", "topic", "attendees", "minutes", "decisions"]
        widgets = {"decisions": SHORT_TEXT}


class DisclosureForm(RecordForm):
    class Meta:
        model = Disclosure
        fields = ["community", "published_on", "topics", "channel", "evidence"]


class VolunteerRegistrationForm(RecordForm):
    class Meta:
        model = VolunteerRegistration
        fields = ["community", "year", "registered", "note"]
        widgets = {"note": SHORT_TEXT}


class MemberVillageForm(RecordForm):
    class Meta:
        model = MemberVillage
        fields = ["community", "name", "distance_km", "population", "households"]
        help_texts = {"community": "仅农村社区(中心村型)登记所辖村。"}


class VillageRecognitionForm(RecordForm):
    class Meta:
        model = VillageRecognition
        fields = ["community", "year", "recognised", "evidence", "confirmed_by_district", "note"]
        widgets = {"note": SHORT_TEXT}
        help_texts = {"community": "仅行政村(嘎查)登记“五个好”认定。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Shown, never taken from the town's form: the district confirms in the review workflow.
        self.fields["confirmed_by_district"].disabled = True
        self.fields["confirmed_by_district"].help_text = "由区县在审核中确认。"
