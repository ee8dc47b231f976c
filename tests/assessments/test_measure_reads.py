"""Each measure's declared `reads` against the tables its queries actually touch, so that a saved
record re-measures everything that reads it (`EditionEvaluator` re-measures only those), and a
partial re-evaluation after each kind of record change equals a whole one."""

import json
import re
from datetime import date

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import thresholds
from assessments.evaluator import EditionEvaluator, evaluator_for
from assessments.models import SelfCheck, StandardEdition
from communities.models import Activity, Community
from core.measures import MEASURES, Batch
from facilities.models import Facility
from personnel.models import Member

from ..factories import CommunityFactory

YEAR = timezone.localdate().year
TABLE = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"')
# Read by any evaluation and changed through the community itself (a community save re-evaluates
# everything) or never once published: the community row, its town and district, the editions.
ALWAYS = {"communities.Community", "core.Unit", "assessments.StandardEdition", "assessments.Indicator"}


def touched(queries) -> set[str]:
    labels = {model._meta.db_table: model._meta.label for model in apps.get_models()}
    return {labels[table] for query in queries for table in TABLE.findall(query["sql"]) if table in labels}


def uses():
    """(measure key, parameters): every measure with its defaults, and as the shipped editions call
    it, thresholds' measure references included."""
    found = {(key, "{}") for key in MEASURES}
    for edition in StandardEdition.objects.filter(tenant__isnull=True):
        for rule in EditionEvaluator(edition).rules.values():
            found.add((rule.indicator.measure, json.dumps(rule.params, sort_keys=True)))
            for ref in thresholds.referenced_measures(rule.threshold):
                found.add((ref["measure"], json.dumps(ref.get("params") or {}, sort_keys=True)))
    return sorted(found)


@pytest.mark.django_db
def test_every_measure_reads_only_what_it_declares(world):
    CommunityFactory(unit=world.t3, name="红光村", kind="village")
    communities = list(Community.objects.filter(unit__tenant=world.tenant).select_related("unit__parent"))
    assert {c.kind for c in communities} == set(Community.Kind.values)
    wrong = {}
    for key, params in uses():
        measure = MEASURES[key]
        with CaptureQueriesContext(connection) as queries:
            measure(Batch(communities, YEAR), json.loads(params))
        read = touched(queries) - ALWAYS
        if measure.reads is None or not read <= set(measure.reads):
            wrong[key] = sorted(read)
    assert wrong == {}


def records(community, label):
    """A record of the model `label` for the community, as a clerk would save one."""
    make = {
        "communities.Activity": lambda: Activity.objects.create(
            community=community, kind="culture", held_on=date(YEAR, 5, 1), title="文化活动"
        ),
        "personnel.Member": lambda: Member.objects.create(
            community=community, name="王五", body="residents_committee", role="member", full_time=True
        ),
        "facilities.Facility": lambda: Facility.objects.create(
            community=community, kind="service_station", name="服务站", area_m2=320, activity_area_m2=200
        ),
    }
    return make[label]()


def whole(check) -> list[dict]:
    """The self-check's results as a whole evaluation gives them now."""
    community = Community.objects.select_related("unit__parent").get(pk=check.community_id)
    outcome = evaluator_for(check.edition).evaluate(
        Batch([community], check.year), {check.community_id: check.judgements}
    )
    return outcome[check.community_id].results


# Real commits: the re-evaluation runs when the record's transaction commits, as in production.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("label", ["communities.Activity", "personnel.Member", "facilities.Facility"])
def test_a_saved_record_re_measures_only_what_reads_it_and_equals_a_whole_evaluation(world, label):
    check = SelfCheck.objects.get(community=world.c1, year=YEAR)
    untouched = {
        rule.indicator.code
        for rule in evaluator_for(check.edition).rules.values()
        if not rule.reads_any({label})
    }
    assert untouched  # the shipped urban edition has indicators that do not read this record

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        records(world.c1, label)

    read = touched(queries) - ALWAYS
    readers = {
        other for measure in MEASURES.values() if label in (measure.reads or ()) for other in measure.reads
    }
    assert label in read and read <= readers | {"assessments.SelfCheck"}, read
    check.refresh_from_db()
    assert check.results == whole(check)
    assert check.score == evaluator_for(check.edition).outcome(check.results).score


@pytest.mark.django_db(transaction=True)
def test_a_saved_phone_number_evaluates_nothing_and_a_household_count_everything(world, api):
    check = SelfCheck.objects.get(community=world.c1, year=YEAR)
    before = check.evaluated_at
    client = api.as_user(world.clerk)

    response = client.patch(
        f"/api/v1/communities/{world.c1.pk}/",
        {"phone": "0471-7654321", "address": "新华路1号"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert SelfCheck.objects.get(pk=check.pk).evaluated_at == before

    response = client.patch(
        f"/api/v1/communities/{world.c1.pk}/", {"households": 2500, "residents": 8000}, format="json"
    )
    assert response.status_code == 200, response.content
    check.refresh_from_db()
    assert check.evaluated_at > before
    households = next(r for r in check.results if r["indicator"] == "U-SIZE")
    assert households["value"] == 2500
    assert check.results == whole(check)
