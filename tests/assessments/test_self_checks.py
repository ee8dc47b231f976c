"""Self-check runs: the job, its chunks, idempotence, retries, failures, the API and live results."""

from decimal import Decimal

import pytest
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import runs, tasks
from assessments.api.serializers import GapSerializer, ResultSerializer
from assessments.evaluator import EditionEvaluator
from assessments.models import SelfCheck
from communities.models import Community
from core.measures import Batch
from core.models import Job
from demo.factories import CommunityFactory, FacilityFactory, WorkFundFactory
from funding.models import WorkFund
from standards import sheet, shipped
from standards.models import Indicator, StandardEdition

YEAR = timezone.localdate().year


@pytest.fixture
def run(api, eager_tasks, django_capture_on_commit_callbacks):
    """POST self-checks/run/ as `user` and let the job run in this process; returns the job."""

    def start(user, **body):
        with django_capture_on_commit_callbacks(execute=True):
            response = api.as_user(user).post(
                "/api/v1/self-checks/run/", {"year": YEAR, **body}, format="json"
            )
        assert response.status_code == 202, response.content
        return Job.objects.get(pk=response.json()["job"])

    return start


@pytest.mark.django_db
def test_run_creates_one_self_check_per_community_of_the_unit_with_the_current_edition(world, run):
    job = run(world.reviewer)

    job.refresh_from_db()
    assert job.kind == Job.Kind.SELF_CHECK and job.state == Job.State.DONE, job.errors
    assert job.total == job.done == 2
    checks = SelfCheck.objects.filter(year=YEAR)
    assert set(checks.values_list("community_id", flat=True)) == {world.c1.pk, world.c2.pk}
    urban_edition = StandardEdition.objects.current_for(world.tenant.pk, "urban")
    for check in checks:
        assert check.edition == urban_edition
        assert check.status == SelfCheck.Status.DRAFT
        assert len(check.results) == urban_edition.indicators.count()
        assert check.evaluated_at is not None
    assert job.summary["counts"]["created"] == 2


@pytest.mark.django_db
def test_rerun_never_duplicates_and_leaves_submitted_self_checks_alone(world, run):
    run(world.officer)
    submitted = SelfCheck.objects.get(community=world.c1, year=YEAR)
    SelfCheck.objects.filter(pk=submitted.pk).update(status=SelfCheck.Status.SUBMITTED, score=Decimal("1.00"))
    FacilityFactory(community=world.c2, kind="service_station", name="站", area_m2=400, activity_area_m2=300)

    job = run(world.officer)

    assert SelfCheck.objects.filter(year=YEAR).count() == 3
    job.refresh_from_db()
    counts = job.summary["counts"]
    assert (counts["evaluated"], counts["skipped"], counts["created"]) == (2, 1, 0)
    submitted.refresh_from_db()
    assert submitted.score == Decimal("1.00")  # not re-evaluated
    area = next(
        r for r in SelfCheck.objects.get(community=world.c2, year=YEAR).results if r["indicator"] == "U-AREA"
    )
    assert area["passed"] is True and area["value"] == 400


@pytest.mark.django_db
def test_rerun_keeps_reviewer_judgements_and_a_new_year_starts_clean(world, run):
    run(world.clerk)
    check = SelfCheck.objects.get(community=world.c1, year=YEAR)
    check.judgements = {"U-CHARTER": {"passed": True, "note": "章程齐全"}}
    check.save()
    SelfCheck.objects.create(
        community=world.c1,
        year=YEAR - 1,
        edition=check.edition,
        judgements={"U-DUTY": {"passed": True, "note": "去年"}},
    )

    run(world.clerk)

    check.refresh_from_db()
    charter = next(r for r in check.results if r["indicator"] == "U-CHARTER")
    assert charter == {
        "indicator": "U-CHARTER",
        "passed": True,
        "value": None,
        "expected": None,
        "note": "章程齐全",
        "earned": charter["points"],
        "points": charter["points"],
        "applicable": True,
    }
    duty = next(r for r in check.results if r["indicator"] == "U-DUTY")
    assert duty["passed"] is None and duty["note"] == "待区县审核材料"


@pytest.mark.django_db
def test_run_is_chunked_and_progress_counts_communities(world, run, settings):
    settings.SELF_CHECK_CHUNK_SIZE = 1
    for number in range(3):
        CommunityFactory(unit=world.t1, name=f"新社区{number}")

    job = run(world.clerk)

    job.refresh_from_db()
    assert job.summary["chunks"] == 4
    assert job.summary["chunks_reported"] == [1, 2, 3, 4]
    assert job.done == job.total == 4
    assert job.state == Job.State.DONE


@pytest.mark.django_db
def test_a_chunk_retries_a_transient_database_error(world, run, monkeypatch):
    real = runs.evaluate_communities
    calls = []

    def flaky(ids, year, create=True):
        calls.append(ids)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(ids, year, create)

    monkeypatch.setattr(runs, "evaluate_communities", flaky)
    job = run(world.clerk)

    job.refresh_from_db()
    assert len(calls) == 2
    assert job.state == Job.State.DONE and job.errors == []
    assert SelfCheck.objects.filter(community=world.c1, year=YEAR).exists()


@pytest.mark.django_db
def test_a_failed_chunk_is_reported_and_the_others_are_kept(world, run, monkeypatch, settings):
    settings.SELF_CHECK_CHUNK_SIZE = 1
    real = runs.evaluate_communities

    def broken_for_c2(ids, year, create=True):
        if world.c2.pk in ids:
            raise ValueError("记录损坏")
        return real(ids, year, create)

    monkeypatch.setattr(runs, "evaluate_communities", broken_for_c2)
    job = run(world.reviewer)

    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert len(job.errors) == 1 and "评估失败" in job.errors[0] and "记录损坏" in job.errors[0]
    assert job.done == job.total == 2
    assert SelfCheck.objects.filter(community=world.c1, year=YEAR).exists()
    assert not SelfCheck.objects.filter(community=world.c2, year=YEAR).exists()


@pytest.mark.django_db
def test_a_redelivered_chunk_is_counted_once(world):
    job = Job.objects.create(
        owner=world.clerk,
        kind=Job.Kind.SELF_CHECK,
        params={"year": YEAR, "unit": world.t1.pk},
        state=Job.State.RUNNING,
        total=2,
        summary={"chunks": 2},
    )
    report = {"counts": {"evaluated": 1}, "errors": [], "queries": 5}

    runs.chunk_finished(job.pk, 1, 1, report)
    runs.chunk_finished(job.pk, 1, 1, report)

    job.refresh_from_db()
    assert job.done == 1 and job.state == Job.State.RUNNING
    assert job.summary["counts"] == {"evaluated": 1}
    runs.chunk_finished(job.pk, 2, 1, report)
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.done == 2 and job.summary["queries"] == 10


@pytest.mark.django_db
def test_a_redelivered_run_message_queues_nothing_twice(world, run):
    job = run(world.clerk)
    before = SelfCheck.objects.count()

    tasks.run_self_checks.apply(args=[job.pk])

    job.refresh_from_db()
    assert job.state == Job.State.DONE and SelfCheck.objects.count() == before


@pytest.mark.django_db
def test_queries_grow_with_chunks_not_communities(world):
    few = [CommunityFactory(unit=world.t1, name=f"少{n}").pk for n in range(2)]
    many = [CommunityFactory(unit=world.t2, name=f"多{n}").pk for n in range(25)]
    counts = []
    for ids in (few, many):
        with CaptureQueriesContext(connection) as queries:
            runs.evaluate_communities(ids, YEAR)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert SelfCheck.objects.filter(community_id__in=few + many).count() == 27


@pytest.mark.django_db
def test_a_community_without_a_published_edition_for_its_kind_is_reported(world):
    StandardEdition.objects.filter(applies_to="village").update(status="draft")

    village = CommunityFactory(unit=world.t3, name="无标准村", kind="village")
    report = runs.evaluate_communities([village.pk, world.c3.pk], YEAR)

    assert report["errors"] == ["无标准村:没有适用于行政村(嘎查)的已发布标准。"]
    assert SelfCheck.objects.filter(community=world.c3).exists()


# ---- score and levels ---------------------------------------------------------------------------------


def edition_with(tenant, kind, levels, rows, premium_min_score=95, code="T"):
    """A checklist edition as the legacy conversion makes it: each item all-or-nothing for its weight, a
    veto of its level and the levels above (docs/scoring.md, "Editions from before the sheets")."""
    edition = StandardEdition.objects.create(
        tenant=tenant,
        code=code,
        name="测试",
        version=1,
        applies_to=kind,
        levels=levels,
        min_scores=shipped.legacy_min_scores(levels, premium_min_score),
    )
    for order, (code, check, level, weight, threshold) in enumerate(rows):
        Indicator.objects.create(
            edition=edition,
            code=code,
            category="测试",
            requirement=code,
            check_kind=check,
            method=shipped.LEGACY_METHODS[check],
            veto=shipped.legacy_veto(levels, level),
            level=level,
            points=weight,
            order=order,
            **(
                {"measure": "households", "operator": "gte", "threshold": threshold}
                if check == "auto"
                else {}
            ),
        )
    return edition


def outcome(edition, community, judgements=None):
    community = Community.objects.select_related("unit__parent").get(pk=community.pk)
    return EditionEvaluator(edition).evaluate(Batch([community], YEAR), {community.pk: judgements or {}})[
        community.pk
    ]


@pytest.mark.django_db
def test_score_is_the_weighted_share_passed_and_unjudged_counts_as_not_passed(world):
    edition = edition_with(
        world.tenant,
        "urban",
        ["qualified", "model"],
        [
            ("A", "auto", "qualified", 3, 1000),  # passes (2400 households)
            ("B", "auto", "qualified", 1, 9999),  # fails
            ("C", "evidence", "qualified", 2, None),  # unjudged
            ("D", "auto", "model", 2, 2000),  # passes
        ],
    )

    result = outcome(edition, world.c1)

    assert result.score == Decimal("62.50")  # (3 + 2) / 8
    assert result.level == "none" and result.proposed_level == "none"  # B fails at the lowest level


@pytest.mark.django_db
def test_level_counts_unjudged_as_failed_and_proposed_level_as_passed(world):
    edition = edition_with(
        world.tenant,
        "urban",
        ["qualified", "model"],
        [
            ("A", "auto", "qualified", 1, 1000),
            ("C", "evidence", "qualified", 1, None),
            ("D", "auto", "model", 1, 2000),
        ],
    )

    pending = outcome(edition, world.c1)
    judged = outcome(edition, world.c1, {"C": {"passed": True}})
    refused = outcome(edition, world.c1, {"C": {"passed": False, "note": "材料不全"}})

    assert (pending.level, pending.proposed_level) == ("none", "model")
    assert (judged.level, judged.proposed_level) == ("model", "model")
    assert (refused.level, refused.proposed_level) == ("none", "none")
    assert refused.results[1]["note"] == "材料不全"


@pytest.mark.django_db
def test_premium_needs_every_model_indicator_and_the_minimum_score(world):
    rows = [
        ("A", "auto", "standardized", 1, 1000),
        ("D", "auto", "model", 1, 1000),
        ("E", "auto", "model", 1, 99999),  # fails: a model indicator
    ]
    community = world.c3  # rural
    failing_model = edition_with(world.tenant, "rural", ["standardized", "model", "premium"], rows, code="T1")
    assert outcome(failing_model, community).level == "standardized"

    all_model = edition_with(world.tenant, "rural", ["standardized", "model", "premium"], rows[:2], code="T2")
    assert outcome(all_model, community).level == "premium"  # score 100 ≥ 95

    Indicator.objects.filter(edition=all_model).update(points=1)
    Indicator.objects.create(
        edition=all_model,
        code="S",
        category="测试",
        requirement="S",
        check_kind="site",
        method="inspection",
        veto=["premium"],
        level="premium",
        points=1,
    )
    low = outcome(all_model, community, {"S": {"passed": False}})
    assert low.score == Decimal("66.67") and low.level == "model"


# ---- live results -----------------------------------------------------------------------------------------


# Real commits (transaction=True): results follow each committed save, as in production.
@pytest.mark.django_db(transaction=True)
def test_a_record_saved_by_a_clerk_updates_the_gap_list_at_once(world, api):
    client = api.as_user(world.clerk)
    with transaction.atomic():
        response = client.post(
            "/api/v1/facilities/",
            {
                "community": world.c1.pk,
                "kind": "service_station",
                "name": "幸福社区服务站",
                "area_m2": 282,
                "activity_area_m2": 100,
                "rooms": ["service_hall"],
            },
            format="json",
        )
    assert response.status_code == 201, response.content

    check = SelfCheck.objects.get(community=world.c1, year=YEAR)
    gaps = {gap["indicator"]: gap["text"] for gap in check.gaps}
    # U-AREA earns its points in proportion to the 300 m² asked: 18 m² short is worth that share
    worth = sheet.to_json(check.edition.indicators.get(code="U-AREA").points * Decimal(18) / 300)
    assert f"社区服务站面积282平方米,还差18平方米,可得{worth}分。" == gaps["U-AREA"]

    with transaction.atomic():
        response = client.patch(
            f"/api/v1/facilities/{response.json()['id']}/", {"area_m2": 300}, format="json"
        )
    assert response.status_code == 200, response.content
    check.refresh_from_db()
    assert "U-AREA" not in {gap["indicator"] for gap in check.gaps}


@pytest.mark.django_db(transaction=True)
def test_records_saved_after_submission_do_not_change_the_submitted_self_check(world):
    with transaction.atomic():
        WorkFundFactory(community=world.c1, year=YEAR, paid=Decimal("100"))
    check = SelfCheck.objects.get(community=world.c1, year=YEAR)
    SelfCheck.objects.filter(pk=check.pk).update(status=SelfCheck.Status.SUBMITTED)

    with transaction.atomic():
        WorkFund.objects.filter(community=world.c1).first().delete()

    check.refresh_from_db()
    fund = next(r for r in check.results if r["indicator"] == "U-FUND")
    assert fund["value"] == 100


@pytest.mark.django_db(transaction=True)
def test_an_import_evaluates_the_communities_it_created(world, settings, eager_tasks):
    from communities.imports import run_import
    from tests.communities.test_import import GOOD_COMMUNITY, GOOD_MEMBER, workbook

    settings.SELF_CHECK_LIVE_LIMIT = 0  # through the background task, as a large import goes
    report = run_import(world.clerk, workbook([GOOD_COMMUNITY], [GOOD_MEMBER]), check_only=False)

    assert report.errors == []
    check = SelfCheck.objects.get(community__name="朝阳社区", year=YEAR)  # 2600 households
    assert next(r for r in check.results if r["indicator"] == "U-SIZE")["passed"] is True
    seats = next(r for r in check.results if r["indicator"] == "U-SEATS")
    assert seats["value"] == 1  # the imported full-time member


@pytest.mark.django_db(transaction=True)
def test_an_import_without_a_broker_is_evaluated_in_process(world, settings, monkeypatch):
    """A large change is handed to a task after its commit; with the broker down the data is saved
    already, so the results are brought up to date in the request instead of left stale."""
    from kombu.exceptions import OperationalError

    from assessments.tasks import refresh_self_checks
    from communities.imports import run_import
    from tests.communities.test_import import GOOD_COMMUNITY, GOOD_MEMBER, workbook

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr(refresh_self_checks, "delay", broker_down)
    settings.SELF_CHECK_LIVE_LIMIT = 0
    report = run_import(world.clerk, workbook([GOOD_COMMUNITY], [GOOD_MEMBER]), check_only=False)

    assert report.errors == []
    check = SelfCheck.objects.get(community__name="朝阳社区", year=YEAR)
    assert next(r for r in check.results if r["indicator"] == "U-SEATS")["value"] == 1


@pytest.mark.django_db
def test_api_list_queries_do_not_grow_with_rows_and_carry_the_gap_list(world, api):
    client = api.as_user(world.officer)
    runs.evaluate_communities([world.c1.pk, world.c2.pk], YEAR)
    client.get("/api/v1/self-checks/")  # warm the process-wide cache of compiled editions
    with CaptureQueriesContext(connection) as few:
        small = client.get("/api/v1/self-checks/").json()
    extra = [CommunityFactory(unit=world.t1, name=f"列表{n}").pk for n in range(10)]
    runs.evaluate_communities(extra, YEAR)
    with CaptureQueriesContext(connection) as many:
        large = client.get("/api/v1/self-checks/").json()

    assert (small["count"], large["count"]) == (2, 12)
    assert len(many) == len(few), [q["sql"] for q in many]
    row = next(r for r in large["results"] if r["community"] == world.c1.pk)
    assert set(row) >= {
        "id",
        "community",
        "year",
        "standard",
        "status",
        "changed_since_approval",
        "score",
        "level",
        "proposed_level",
        "results",
        "gaps",
    }
    assert isinstance(row["score"], float) and row["level"] == "none"
    station = next(gap for gap in row["gaps"] if gap["indicator"] == "U-STATION")
    full = sheet.to_json(SelfCheck.objects.get(pk=row["id"]).edition.indicators.get(code="U-STATION").points)
    assert station == {
        "indicator": "U-STATION",
        "level": "qualified",
        "text": f"尚未登记社区服务站,可得{full}分。",
        "points": full,
        "veto": False,
        "bonus": False,
        "pending": False,
        "town": True,
    }


@pytest.mark.django_db
def test_api_reads_no_snapshot_judgements_or_failed_codes_and_each_edition_once(world, api):
    """An approved self-check's snapshot holds every record as it stood: the API shows none of it."""
    runs.evaluate_communities([world.c1.pk, world.c2.pk, world.c3.pk], YEAR)
    SelfCheck.objects.filter(community=world.c1).update(
        status=SelfCheck.Status.DISTRICT_APPROVED, snapshot={"records": ["一大份记录"] * 100}
    )
    with CaptureQueriesContext(connection) as queries:
        body = api.as_user(world.officer).get("/api/v1/self-checks/", {"year": YEAR}).json()

    assert body["count"] == 3 and {row["status"] for row in body["results"]} == {"draft", "district_approved"}
    assert all(row["results"] and row["level"] for row in body["results"])
    read = [q["sql"] for q in queries if q["sql"].startswith('SELECT "assessments_selfcheck"."id"')]
    assert len(read) == 1 and '"results"' in read[0]
    assert not any(
        f'"assessments_selfcheck"."{name}"' in read[0] for name in ("snapshot", "judgements", "failed")
    )
    editions = [q["sql"] for q in queries if 'FROM "assessments_standardedition"' in q["sql"]]
    assert len(editions) == 1 and "assessments_standardedition" not in read[0]


@pytest.mark.django_db
def test_a_run_whose_unit_is_gone_fails_with_a_message(world):
    job = Job.objects.create(
        owner=world.officer, kind=Job.Kind.SELF_CHECK, params={"year": YEAR, "unit": 999999}
    )

    tasks.run_self_checks.apply(args=[job.pk])

    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.errors == ["要自查的单位已不存在。"]


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["self-checks", "enrolments", "designations"])
@pytest.mark.parametrize("value", ["1e30", str(2**63), "5.5", "0"])
def test_a_community_filter_that_is_no_id_is_a_400_on_the_field(world, api, slug, value):
    # Found by `make fuzz`: `?community=1e30` overflowed the database column (a 500).
    response = api.as_user(world.reader).get(f"/api/v1/{slug}/?community={value}")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["community"]


@pytest.mark.django_db
def test_the_community_filter_matches_its_id(world, api):
    runs.evaluate_communities([world.c1.pk, world.c2.pk], YEAR)
    rows = api.as_user(world.reader).get(f"/api/v1/self-checks/?community={world.c1.pk}").json()["results"]
    assert [row["community"] for row in rows] == [world.c1.pk]


@pytest.mark.django_db
def test_results_and_gaps_are_written_as_their_serializers_write_them(world, api):
    """The API writes the stored results and the gaps out by key (`FlatListField`); the output is the
    nested serializers' own, for passed, failed, open and not-applicable results alike."""
    village = CommunityFactory(unit=world.t3, name="红光村", kind="village")
    runs.evaluate_communities([world.c1.pk, world.c3.pk, village.pk], YEAR)

    body = api.as_user(world.officer).get("/api/v1/self-checks/", {"year": YEAR}).json()["results"]

    assert len(body) == 3
    for row in body:
        check = SelfCheck.objects.get(pk=row["id"])
        assert row["results"] == ResultSerializer(check.results, many=True).data
        assert row["gaps"] == GapSerializer(check.gaps, many=True).data
    passed = {result["passed"] for row in body for result in row["results"]}
    assert passed == {True, False, None}
    assert any(row["gaps"] for row in body)


@pytest.mark.django_db
def test_a_re_evaluation_that_moves_nothing_only_stamps_the_time(world):
    runs.evaluate_communities([world.c1.pk], YEAR)
    check = SelfCheck.objects.get(community=world.c1, year=YEAR)
    with CaptureQueriesContext(connection) as queries:
        runs.evaluate_communities([world.c1.pk], YEAR)
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and "results" not in updates[0] and "evaluated_at" in updates[0]
    again = SelfCheck.objects.get(pk=check.pk)
    assert again.evaluated_at > check.evaluated_at and again.results == check.results

    FacilityFactory(
        community=world.c1, kind="service_station", name="服务站", area_m2=320, activity_area_m2=200
    )
    runs.evaluate_communities([world.c1.pk], YEAR)  # U-AREA now passes: the results are written
    moved = SelfCheck.objects.get(pk=check.pk)
    assert moved.results != check.results and "U-AREA" not in moved.failed
