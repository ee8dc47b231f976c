"""The one state machine of a self-check's review (docs/api.md):

    draft ─submit→ submitted ─approve→ district_approved ─accept→ accepted
      ↑              │    ↑                  │      ↑            │
      └──returned ←return  └──reopen─────────┘      └──reopen────┴── rejected ←reject─┘

Every step is one function here and one row of the step table (`steps.STEPS`), which declares who
may take it from which status and what it takes; the function reads them there. Each finds the
self-check in the caller's visible scope and locks its row, then refuses in docs/api.md's order: outside
scope 404, role 403, bad input 400 (keyed by field), step out of order 409 (`Conflict`; approving
and accepting also while indicators the table's `judged_first` names are unjudged). A refused
step changes nothing. A step that goes through records who, when and why in `SelfCheckEvent` (the
audit trail) and notifies the people concerned, all in one transaction, so two reviewers acting at
once cannot both succeed.
"""

import datetime
import json
from decimal import Decimal

from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone

from communities import records
from core.exceptions import Conflict
from core.scope import may
from designations.models import Designation, Enrolment
from standards import sheet
from standards.models import Indicator

from .evaluator import EditionEvaluator, evaluator_for, judgement_entries
from .models import IndicatorEvidence, SelfCheck, SelfCheckEvent, SiteVisit
from .steps import JUDGED_WHILE, NOT_GIVEN, STEPS

Status = SelfCheck.Status
Step = SelfCheckEvent.Step

NO_DESIGNATION = "rejected"


# ---- the shared frame of every step -------------------------------------------------------------


def _locked(user, pk) -> SelfCheck:
    """The self-check if the caller can see it (else 404), locked for the rest of the transaction."""
    if not SelfCheck.objects.visible_to(user).filter(pk=pk).exists():
        raise Http404("自查不存在或不在您的管辖范围内。")
    return SelfCheck.objects.select_for_update().select_related("edition", "community__unit").get(pk=pk)


def _require(user, check: SelfCheck, *actions: str) -> None:
    if not any(may(user, action, check) for action in actions):
        raise PermissionDenied("您的角色不能执行此步骤。")


def _leaving(check: SelfCheck, step):
    """The table's move of `step` out of the self-check's status, else 409."""
    move = step.move_from(check.status)
    if move is None:
        raise _out_of_order(check, step.verb)
    return move


def _out_of_order(check: SelfCheck, wanted: str) -> Conflict:
    return Conflict(f"自查当前为“{check.get_status_display()}”,不能{wanted}。")


def _judged_first(check: SelfCheck, step, decision=NOT_GIVEN) -> None:
    """409 while indicators the table's `judged_first` names are still unjudged (`passed` None), naming
    them in the message and in the API's body (`code` "unjudged", `indicators`)."""
    blocking = [indicator.code for indicator in step.unjudged(check, decision)]
    if blocking:
        raise Conflict(
            unjudged_message(step, blocking, decision), code="unjudged", details={"indicators": blocking}
        )


def unjudged_message(step, codes: list[str], decision=NOT_GIVEN) -> str:
    """ "以下材料审核指标尚未判定,不能审核通过:U-CHARTER、U-DUTY。" (the 409, and the page's alert)."""
    kind = Indicator.Check(step.judged_first).label
    chosen = dict(step.inputs[0].choices).get(decision, "") if step.inputs else ""
    return f"以下{kind}指标尚未判定,不能{step.verb}{chosen}:{'、'.join(codes)}。"


def _record(
    check: SelfCheck, user, step: str, from_status: str, comment: str = "", **details
) -> SelfCheckEvent:
    from .notifications import on_event

    event = SelfCheckEvent.objects.create(
        self_check=check,
        step=step,
        from_status=from_status,
        to_status=check.status,
        actor=user,
        comment=comment,
        details=details,
    )
    on_event(event)
    return event


def _move(check: SelfCheck, user, step: str, to_status: str, comment: str = "", **details) -> SelfCheck:
    from_status = check.status
    check.status = to_status
    check.save(update_fields=["status", "changed_since_approval", "snapshot", "updated_at"])
    _record(check, user, step, from_status, comment, **details)
    return check


def _check_dates(model, fields: dict) -> None:
    """A date in the body that is no string (a number, a list) is bad input of its field, where
    Django's date parsing would raise a TypeError (a 500)."""
    errors = {
        name: [field.error_messages["invalid"] % {"value": value}]
        for name, value in fields.items()
        if isinstance(field := model._meta.get_field(name), models.DateField)
        and value is not None
        and not isinstance(value, str | datetime.date)
    }
    if errors:
        raise ValidationError(errors)


# ---- the steps ----------------------------------------------------------------------------------


@transaction.atomic
def submit(user, pk) -> SelfCheck:
    """Town: `draft`/`returned` → `submitted`, for a community enrolled in that year's activity."""
    step = STEPS["submit"]
    check = _locked(user, pk)
    _require(user, check, *step.actions)
    move = _leaving(check, step)
    if not Enrolment.objects.filter(community_id=check.community_id, year=check.year).exists():
        raise Conflict(f"该社区未列入{check.year}年创建活动,不能提交审核。")
    return _move(check, user, Step.SUBMIT, move.target)


@transaction.atomic
def judge(user, pk, indicator: str = "", passed=None, earned=None, note: str = "") -> SelfCheck:
    """An evidence item by the district while `submitted`; a visit item by the city while
    `district_approved`. An all-or-nothing item takes `passed` (or `earned` of 0 or full marks); a
    graded item takes `earned`, 0 to full marks in steps of 0.5, with a note below full marks. The
    district's judgement replaces its earlier one; each city officer's score of a visit item is kept
    beside the others' and their mean counts (docs/scoring.md, "Reviewers"). The score and levels
    follow at once."""
    step = STEPS["judge"]
    check = _locked(user, pk)
    _require(user, check, *step.actions)
    found = evaluator_for(check.edition).by_code.get(indicator) if isinstance(indicator, str) else None
    if found is None:
        raise ValidationError({"indicator": [f"本标准没有指标“{indicator}”。"]})
    if found.check_kind == Indicator.Check.AUTO:
        raise ValidationError({"indicator": ["自动判定的指标由系统根据记录计算,不能人工判定。"]})
    judged_while = JUDGED_WHILE[found.check_kind]
    # The role that judges the item's kind first: 403 before any check of the input (docs/api.md).
    _require(user, check, *step.move_from(judged_while).actions)
    if found.scoring == sheet.Scoring.BANDS:
        raise ValidationError(
            {"indicator": ["满意度测评按市级实地评估记录的满意度得分计分,请记录实地评估。"]}
        )
    earned, note = step.clean("earned", earned), step.clean("note", note)
    # Nothing given is a 400 on the input the item takes (a graded item's `earned`): `_earned_points`.
    passed = step.clean("passed", passed) if passed is not None else None
    earned = _earned_points(found, passed, earned, note)
    if check.status != judged_while:
        raise _out_of_order(check, step.verb)
    full = sheet.number(found.points)
    entry = {
        "passed": earned >= full,
        "earned": sheet.to_json(earned),
        "note": note,
        "by": user.pk,
        "by_name": str(user),  # the name the pages show: 姓名, else the username
        "at": timezone.now().isoformat(),
    }
    if found.method in sheet.VISIT_METHODS:
        kept = [
            score
            for score in judgement_entries(check.judgements.get(indicator))
            if score.get("by") != user.pk
        ]
        entry = {"scores": [*kept, entry]}
    check.judgements = {**check.judgements, indicator: entry}
    _apply_judgements(check)
    check.save(update_fields=["judgements", *SelfCheck.SCORE_FIELDS, "updated_at"])
    _record(
        check,
        user,
        Step.JUDGE,
        check.status,
        note,
        indicator=indicator,
        passed=earned >= full,
        earned=str(earned),
    )
    return check


def _earned_points(indicator: Indicator, passed, earned, note: str) -> Decimal:
    """The points a judgement gives, or a 400 keyed by the input at fault."""
    full = sheet.number(indicator.points)
    if earned is None:
        if passed is None:
            field = "earned" if indicator.scoring == sheet.Scoring.GRADED else "passed"
            message = "请填写得分。" if field == "earned" else "请选择是否达标。"
            raise ValidationError({field: [message]})
        earned = full if passed else Decimal(0)
    elif passed is not None and passed != (earned >= full):
        raise ValidationError({"passed": ["“是否达标”与得分不一致:满分为达标。"]})
    if not Decimal(0) <= earned <= full or earned % sheet.HALF:
        raise ValidationError({"earned": [f"得分须在0至{sheet.to_json(full)}分之间,以0.5分为一档。"]})
    if indicator.scoring == sheet.Scoring.ALL_OR_NOTHING and earned not in (0, full):
        raise ValidationError({"earned": [f"该指标达标得满分({sheet.to_json(full)}分),不达标不得分。"]})
    if indicator.scoring == sheet.Scoring.GRADED and earned < full and not note:
        raise ValidationError({"note": ["低于满分时须填写扣分理由。"]})
    return earned


def _apply_judgements(check: SelfCheck) -> None:
    """Results, score and levels again, with the measured values as they were and the judgements as now."""
    evaluator = evaluator_for(check.edition)
    by_code = evaluator.by_code
    results = [
        result
        if by_code[result["indicator"]].check_kind == Indicator.Check.AUTO
        else EditionEvaluator.judged(by_code[result["indicator"]], check.judgements.get(result["indicator"]))
        for result in check.results
    ]
    outcome = evaluator.outcome(results)
    check.results = outcome.results
    check.failed = [result["indicator"] for result in results if result["passed"] is False]
    check.score, check.level, check.proposed_level = outcome.score, outcome.level, outcome.proposed_level
    check.proposed_score = outcome.proposed_score


@transaction.atomic
def review(user, pk, decision: str = "", comment: str = "") -> SelfCheck:
    """District: `submitted` → `district_approved` (keeping a snapshot of what it approved) or
    `returned` (a comment is required). Approving waits for every evidence indicator to be judged
    (409 naming the others); returning does not."""
    step = STEPS["review"]
    check = _locked(user, pk)
    _require(user, check, *step.actions)
    decision, comment = step.clean("decision", decision), step.clean("comment", comment)
    if decision == "return" and not comment:
        raise ValidationError({"comment": ["退回时须填写意见,说明需要修改的内容。"]})
    _leaving(check, step)
    _judged_first(check, step, decision)
    if decision == "return":
        return _move(check, user, Step.RETURN, Status.RETURNED, comment)
    check.snapshot = snapshot(check)
    check.changed_since_approval = False
    return _move(check, user, Step.APPROVE, Status.DISTRICT_APPROVED, comment)


@transaction.atomic
def record_site_visit(user, pk, **fields) -> SiteVisit:
    """City: the site visit, forum and questionnaire of a `district_approved` self-check."""
    step = STEPS["site-visit"]
    check = _locked(user, pk)
    _require(user, check, *step.actions)
    _check_dates(SiteVisit, fields)
    visit = SiteVisit.objects.filter(self_check=check).first() or SiteVisit(self_check=check)
    for name, value in fields.items():
        setattr(visit, name, value)
    visit.recorded_by = user
    visit.full_clean(exclude=["self_check", "recorded_by"], validate_unique=False)
    _leaving(check, step)
    visit.save()
    _score_satisfaction(check, visit, user)
    _record(
        check,
        user,
        Step.SITE_VISIT,
        check.status,
        visit.note,
        satisfaction_score=str(visit.satisfaction_score),
    )
    return visit


def _score_satisfaction(check: SelfCheck, visit: SiteVisit, user) -> None:
    """The visit's satisfaction figure scores the sheet's satisfaction items through their band tables
    (docs/scoring.md, "Reviewers")."""
    items = [
        indicator
        for indicator in evaluator_for(check.edition).indicators
        if indicator.method == sheet.Method.SATISFACTION
    ]
    if not items:
        return
    figure = {
        "value": float(visit.satisfaction_score),
        "note": f"满意度得分{visit.satisfaction_score}(样本{visit.questionnaire_sample}份)",
        "by": user.pk,
        "at": timezone.now().isoformat(),
    }
    check.judgements = {**check.judgements, **{indicator.code: figure for indicator in items}}
    _apply_judgements(check)
    check.save(update_fields=["judgements", *SelfCheck.SCORE_FIELDS, "updated_at"])


@transaction.atomic
def accept(user, pk, designation: str = "", comment: str = "") -> SelfCheck:
    """City: `district_approved` → `accepted` with a designation, or `rejected`. A title above the
    reached `level` is refused; a decision below `proposed_level` needs a comment. Every decision
    waits for every site indicator to be judged (409 naming the others)."""
    from designations import titles

    step = STEPS["accept"]
    check = _locked(user, pk)
    _require(user, check, *step.actions)
    comment = step.clean("comment", comment)
    levels = list(check.edition.levels)
    if designation != NO_DESIGNATION and designation not in levels:
        allowed = "、".join(f"{code}({SelfCheck.level_label(code)})" for code in levels)
        raise ValidationError({"designation": [f"请选择称号:{allowed},或 rejected(不通过)。"]})
    reached = levels.index(check.level) if check.level in levels else -1
    proposed = levels.index(check.proposed_level) if check.proposed_level in levels else -1
    chosen = levels.index(designation) if designation in levels else -1
    if chosen > reached:
        raise ValidationError(
            {"designation": [f"称号不能高于已达到的等级“{check.level_display}”(待判定的指标须先判定)。"]}
        )
    if chosen < proposed and not comment:
        raise ValidationError(
            {"comment": [f"所选结果低于预计等级“{check.proposed_level_display}”,请填写理由。"]}
        )
    _leaving(check, step)
    _judged_first(check, step, designation)
    if designation == NO_DESIGNATION:
        return _move(check, user, Step.REJECT, Status.REJECTED, comment)
    # The title first: the acceptance's notification names it and its certificate's code.
    titles.issue(title=designation, year=check.year, user=user, self_check=check)
    _move(check, user, Step.ACCEPT, Status.ACCEPTED, comment, designation=designation)
    return check


@transaction.atomic
def reopen(user, pk, reason: str = "") -> SelfCheck:
    """`district_approved` → `submitted` (district or city), or `accepted`/`rejected` →
    `district_approved` (city; revokes the designation). A reason is required."""
    from designations import titles

    step = STEPS["reopen"]
    check = _locked(user, pk)
    _require(user, check, *step.actions)
    move = step.move_from(check.status)
    if move is not None:
        _require(user, check, *move.actions)
    reason = step.clean("reason", reason)
    if move is None:
        raise _out_of_order(check, step.verb)
    granted = Designation.objects.filter(self_check=check, revoked=False).first()
    if granted is not None:
        titles.revoke(granted, user, reason)
    return _move(check, user, Step.REOPEN, move.target, reason)


# ---- evidence for evidence indicators ---------------------------------------------------------------


def _evidence_indicator(check: SelfCheck, indicator) -> Indicator:
    found = evaluator_for(check.edition).by_code.get(indicator) if isinstance(indicator, str) else None
    if found is None or found.check_kind != Indicator.Check.EVIDENCE:
        raise ValidationError({"indicator": ["请选择本标准的一项材料审核指标。"]})
    return found


@transaction.atomic
def file_evidence(user, pk, indicator: str = "", file=None, description: str = "") -> IndicatorEvidence:
    """Town: a document or photo for an evidence indicator, while the self-check is still its own
    (`draft`/`returned`); checked by content and size like every upload."""
    step = STEPS["evidence"]
    check = _locked(user, pk)
    _require(user, check, *step.actions)
    _evidence_indicator(check, indicator)
    evidence = IndicatorEvidence(
        self_check=check,
        indicator=indicator,
        file=file,
        description=step.clean("description", description),
        uploaded_by=user,
    )
    evidence.full_clean(exclude=["self_check", "uploaded_by", "reused_from"])
    _leaving(check, step)
    evidence.save()
    _record(
        check,
        user,
        Step.EVIDENCE,
        check.status,
        evidence.description,
        indicator=indicator,
        file=evidence.filename,
    )
    return evidence


@transaction.atomic
def reuse_evidence(user, pk, indicator: str = "") -> list[IndicatorEvidence]:
    """Town: file last year's evidence of the same indicator again (the judgement is not carried
    over: the district judges this year's self-check afresh)."""
    step = STEPS["reuse-evidence"]
    check = _locked(user, pk)
    _require(user, check, *step.actions)
    _evidence_indicator(check, indicator)
    earlier = IndicatorEvidence.objects.filter(
        self_check__community_id=check.community_id, self_check__year=check.year - 1, indicator=indicator
    )
    if not earlier.exists():
        raise ValidationError({"indicator": [f"{check.year - 1}年的自查没有该指标的材料。"]})
    _leaving(check, step)
    copies = [
        IndicatorEvidence.objects.create(
            self_check=check,
            indicator=indicator,
            file=old.file.name,
            description=old.description,
            reused_from=old,
            uploaded_by=user,
        )
        for old in earlier
    ]
    _record(check, user, Step.EVIDENCE, check.status, f"沿用{check.year - 1}年材料", indicator=indicator)
    return copies


@transaction.atomic
def remove_evidence(user, evidence_pk) -> None:
    """Town: withdraw a file filed by mistake, while the self-check is still `draft`/`returned`: whoever
    may file evidence when they may (the table's `evidence`)."""
    evidence = IndicatorEvidence.objects.visible_to(user).filter(pk=evidence_pk).first()
    if evidence is None:
        raise Http404("材料不存在或不在您的管辖范围内。")
    check = _locked(user, evidence.self_check_id)
    _require(user, check, *STEPS["evidence"].actions)
    if STEPS["evidence"].move_from(check.status) is None:
        raise _out_of_order(check, "撤回材料")
    evidence.delete()
    _record(
        check,
        user,
        Step.EVIDENCE,
        check.status,
        f"撤回材料 {evidence.filename}",
        indicator=evidence.indicator,
    )


# ---- what the district approved -------------------------------------------------------------------


def snapshot(check: SelfCheck) -> dict:
    """The results and every record of the community as they stand, as JSON (files by name)."""
    rows = {"community": _serialised([check.community])}
    for record_type in records.all_types():
        rows[record_type.slug] = _serialised(
            record_type.model.objects.filter(community_id=check.community_id)
        )
    return {"taken_at": timezone.now().isoformat(), "results": check.results, "records": rows}


def _serialised(objects) -> list[dict]:
    return json.loads(json.dumps(serializers.serialize("python", objects), cls=DjangoJSONEncoder))
