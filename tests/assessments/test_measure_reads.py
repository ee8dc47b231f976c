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

from assessments import runs
from assessments.evaluator import EditionEvaluator, evaluator_for
from assessments.models import SelfCheck
from communities.models import Community
from core import measures
from core.measures import MEASURES, Batch
from demo.factories import ActivityFactory, CommunityFactory, FacilityFactory, MemberFactory
from standards import thresholds
from standards.models import StandardEdition

YEAR = timezone.localdate().year
TABLE = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"')
# Read by any evaluation and changed through the community itself (a community save re-evaluates
# everything) or never once published: the community row, its town and district, the editions.
ALWAYS = {"communities.Community", "core.Unit", "standards.StandardEdition", "standards.Indicator"}


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
        "communities.Activity": lambda: ActivityFactory(
            community=community, kind="culture", held_on=date(YEAR, 5, 1), title="文化活动"
        ),
        "personnel.Member": lambda: MemberFactory(
            community=community, name="王五", body="residents_committee", role="member", full_time=True
        ),
        "facilities.Facility": lambda: FacilityFactory(
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


def test_a_year_bound_measure_reads_its_records_of_the_judged_year_only(world):
    """`within_year` measures: each record they read has a `year_field`, and their queries keep to the
    batch's year on it, so a record of another year cannot move them (what `refresh` relies on)."""
    communities = list(Community.objects.filter(unit__tenant=world.tenant).select_related("unit__parent"))
    bound = [measure for measure in MEASURES.values() if measure.within_year]
    assert {m.key for m in bound} >= {"activities", "meetings", "disclosure_quarters", "work_fund_paid"}
    for measure in bound:
        with CaptureQueriesContext(connection) as queries:
            measure(Batch(communities, YEAR))
        for label in measure.reads:
            model = apps.get_model(label)
            assert model.year_field, label
            column = f'"{model._meta.db_table}"."{model._meta.get_field(model.year_field).column}"'
            reads = [q["sql"] for q in queries if f'FROM "{model._meta.db_table}"' in q["sql"]]
            assert reads and all(column in sql.split("WHERE")[1] for sql in reads), (measure.key, reads)
            assert measures.year_bound(label)
    assert not measures.year_bound("personnel.Member") and not measures.year_bound("facilities.Facility")


def activity(community, year):
    return ActivityFactory(community=community, kind="volunteer", held_on=date(year, 5, 1), title="志愿服务")


def stamped(*checks) -> list:
    return [SelfCheck.objects.get(pk=check.pk).evaluated_at for check in checks]


def volunteer_activities(check) -> int:
    check.refresh_from_db()
    return next(result["value"] for result in check.results if result["indicator"] == "U-VOLACT")


@pytest.mark.django_db(transaction=True)
def test_a_new_or_deleted_activity_re_evaluates_its_own_years_self_check_only(world):
    now = SelfCheck.objects.get(community=world.c1, year=YEAR)
    runs.evaluate_communities([world.c1.pk], YEAR - 1)
    last = SelfCheck.objects.get(community=world.c1, year=YEAR - 1)
    runs.evaluate_communities([world.c1.pk], YEAR - 2)
    approved = SelfCheck.objects.get(community=world.c1, year=YEAR - 2)
    SelfCheck.objects.filter(pk=approved.pk).update(status=SelfCheck.Status.DISTRICT_APPROVED)
    counted = [volunteer_activities(now), volunteer_activities(last)]

    before = stamped(now, last)
    activity(world.c1, YEAR)
    after = stamped(now, last)
    assert after[0] > before[0] and after[1] == before[1]
    assert not SelfCheck.objects.get(pk=approved.pk).changed_since_approval

    # (This year's self-check is evaluated after any change, created if missing: it only stamps it.)
    before = after
    old = activity(world.c1, YEAR - 1)
    after = stamped(now, last)
    assert after[1] > before[1]
    for check in (now, last):
        check.refresh_from_db()
        assert check.results == whole(check)
    assert [volunteer_activities(now), volunteer_activities(last)] == [counted[0] + 1, counted[1] + 1]

    # An edited activity may have come from another year: every year is evaluated again, and flagged.
    before = stamped(now, last)
    old.held_on = date(YEAR, 6, 1)
    old.save()
    after = stamped(now, last)
    assert after[0] > before[0] and after[1] > before[1]
    for check in (now, last):
        check.refresh_from_db()
        assert check.results == whole(check)
    assert SelfCheck.objects.get(pk=approved.pk).changed_since_approval

    SelfCheck.objects.filter(pk=approved.pk).update(changed_since_approval=False)
    before = stamped(now, last)
    old.delete()
    after = stamped(now, last)
    assert after[0] > before[0] and after[1] == before[1]
    now.refresh_from_db()
    assert now.results == whole(now)
    assert not SelfCheck.objects.get(pk=approved.pk).changed_since_approval

    # A record read by measures of any year (a member) re-evaluates every year and flags as before.
    records(world.c1, "personnel.Member")
    assert stamped(last)[0] > after[1]
    assert SelfCheck.objects.get(pk=approved.pk).changed_since_approval
