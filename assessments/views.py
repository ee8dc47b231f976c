"""Pages of the standards: the list, an edition grouped by category, and the city officer's workflow
(copy, edit the draft, add an own indicator, publish with confirmation). Views find the object in
the caller's visible scope (404), check the role on it (403), refuse changes to a published edition
(409) and leave every write to `services`."""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import generic

from communities.models import Community
from core.exceptions import Conflict, JobsUnavailable
from core.roles import Action
from core.scope import may
from core.views import (
    DefaultYearMixin,
    ScopedDetailView,
    ScopedListView,
    ScopedObjectMixin,
    ScopedViewMixin,
    attachment,
    refused,
)
from designations.models import Designation, Enrolment
from standards import printing, sheet

from . import runs, sheets, workflow
from .evaluator import evaluator_for, filled_result, show_result
from .filtersets import SelfCheckFilterSet
from .forms import SelfCheckRunForm
from .models import IndicatorEvidence, SelfCheck, SiteVisit
from .steps import JUDGED_WHILE, NOT_GIVEN, STEPS, Kind, Step
from .unit_figures import enrolment_figure, most_failed, unit_figures

# ---- self-checks ----------------------------------------------------------------------------------


def _year(request) -> int:
    """The year a page shows: `?year=` when it is a number, else the current year."""
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() else timezone.localdate().year


class SelfCheckListView(DefaultYearMixin, ScopedListView):
    """A unit's self-check table: filters, Excel export (with gap lists), and the run form."""

    model = SelfCheck
    filterset_class = SelfCheckFilterSet
    template_name = "assessments/selfcheck_list.html"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("community__unit__parent", "edition")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        communities = Community.objects.visible_to(self.request.user)
        unit = self.filterset.form.cleaned_data.get("unit") if self.filterset.is_valid() else None
        if unit is not None:
            communities = communities.filter(unit__path__startswith=unit.path)
        context["figures"] = [
            enrolment_figure(communities, _year(self.request)),
            *unit_figures(self.filterset.qs),
        ]
        context["queues"] = self._queues()
        if may(self.request.user, Action.RUN_SELF_CHECKS):
            context["run_form"] = SelfCheckRunForm(
                user=self.request.user, initial={"year": _year(self.request)}
            )
        return context

    def _queues(self) -> list[tuple[str, str, int]]:
        """The review queue (district) and the acceptance queue (city): (label, status, how many)."""
        user = self.request.user
        wanted = []
        if may(user, Action.REVIEW):
            wanted.append(("待审核", SelfCheck.Status.SUBMITTED))
        if may(user, Action.ACCEPT):
            wanted.append(("待验收", SelfCheck.Status.DISTRICT_APPROVED))
        visible = SelfCheck.objects.visible_to(user)
        return [(label, status, visible.filter(status=status).count()) for label, status in wanted]


class SelfCheckSheetView(ScopedObjectMixin, generic.View):
    """The self-check's 评分表 as PDF or Excel (`sheet.pdf`, `sheet.xlsx`), for whoever reads it."""

    model = SelfCheck

    def get(self, request, pk, file_format):
        check = get_object_or_404(self.get_queryset().select_related("community__unit__parent"), pk=pk)
        self.check_action(check)
        return printing.file_response(sheets.score_sheet(check), file_format, sheets.file_name(check))


class SelfCheckDetailView(ScopedDetailView):
    """One self-check: each item with its full marks, points earned, value, requirement, reason and its
    trend over the years; the reviewer judges items in their rows (`SelfCheckStepView`)."""

    model = SelfCheck
    template_name = "assessments/selfcheck_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("community__unit__parent", "edition")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **detail_context(self.request.user, self.object)}


def detail_context(user, check: SelfCheck) -> dict:
    """What the self-check page shows: its rows, years and the caller's steps (`_workflow`); also
    what a judgement posted with htmx answers with (the row, the score and the workflow again)."""
    years = (
        SelfCheck.objects.visible_to(user)
        .filter(community_id=check.community_id)
        .order_by("year")
        .values_list("year", "results")
    )
    trend: dict[str, list] = {}
    for year, results in years:
        for result in results:
            trend.setdefault(result["indicator"], []).append({"year": year, **result})
    indicators = evaluator_for(check.edition).by_code
    context = {
        "rows": [
            {
                "indicator": indicators.get(result["indicator"]),
                "result": filled_result(indicators.get(result["indicator"]), result),
                "shown": show_result(indicators.get(result["indicator"]), result["value"]),
                "trend": trend.get(result["indicator"], []),
            }
            for result in check.results
        ],
        "years": [year for year, _ in years],
        **_workflow(user, check),
    }
    evidence: dict[str, list] = {}
    for item in (
        IndicatorEvidence.objects.visible_to(user).filter(self_check=check).select_related("uploaded_by")
    ):
        evidence.setdefault(item.indicator, []).append(item)
    reusable = set(
        IndicatorEvidence.objects.visible_to(user)
        .filter(self_check__community_id=check.community_id, self_check__year=check.year - 1)
        .values_list("indicator", flat=True)
    )
    for row in context["rows"]:
        code = row["result"]["indicator"]
        row["evidence"] = evidence.get(code, [])
        row["reusable"] = code in reusable and not row["evidence"]
        row.update(_judging(user, check, row["indicator"], row["result"], context["can_judge"]))
    return context


def _judging(user, check: SelfCheck, indicator, result: dict, can_judge: bool) -> dict:
    """How the row is judged: `judgeable` (the caller may judge it now, in its row), `graded` (a
    number 0…full marks in half points, else 达标/不达标), `satisfaction` (scored from the site
    visit's figure, never judged), and the caller's own earlier score of a visit item."""
    if indicator is None:
        return {"judgeable": False, "graded": False, "satisfaction": False, "mine": None}
    satisfaction = indicator.method == sheet.Method.SATISFACTION
    mine = next((entry for entry in result.get("judgements", []) if entry.get("by") == user.pk), None)
    return {
        "judgeable": can_judge
        and not satisfaction
        and JUDGED_WHILE.get(indicator.check_kind) == check.status,
        "graded": indicator.scoring == sheet.Scoring.GRADED,
        "satisfaction": satisfaction,
        "mine": mine,
    }


def _workflow(user, check: SelfCheck) -> dict:
    """Which steps the caller may take now, from the table (`can_<step>`, the steps check again
    when posted), and the steps themselves (`steps.<step>`: the buttons' labels)."""
    levels = list(check.edition.levels)
    reached = levels.index(check.level) + 1 if check.level in levels else 0
    open_steps = {step.key: step.page and step.open_to(user, check) for step in STEPS.values()}
    return {
        **{f"can_{key}": allowed for key, allowed in open_steps.items()},
        "unjudged": _unjudged(check, open_steps),
        "steps": {step.key: step for step in STEPS.values() if step.page},
        "enrolled": Enrolment.objects.visible_to(user)
        .filter(community_id=check.community_id, year=check.year)
        .exists(),
        "designation_choices": [(code, SelfCheck.level_label(code)) for code in reversed(levels[:reached])],
        "site_visit": SiteVisit.objects.visible_to(user).filter(self_check=check).first(),
        "designation": Designation.objects.visible_to(user).filter(self_check=check).first(),
        "events": check.events.select_related("actor"),
    }


def _unjudged(check: SelfCheck, open_steps: dict) -> dict:
    """Per step the caller may take, the indicators that still hold it back (the table's
    `judged_first`, the step refuses the same with 409): their codes and requirements for the
    alert above the form, which links to their rows' judge forms, and the refusal's words."""
    blocked = {}
    for step in STEPS.values():
        decision = step.judged_first_for[0] if step.judged_first_for else NOT_GIVEN
        indicators = step.unjudged(check, decision) if open_steps[step.key] else []
        if indicators:
            blocked[step.key] = {
                "indicators": indicators,
                "reason": workflow.unjudged_message(step, [found.code for found in indicators], decision),
            }
    return blocked


class SelfCheckFailuresView(ScopedViewMixin, generic.TemplateView):
    """The indicators most often failed in a unit's self-checks of a year."""

    model = SelfCheck
    template_name = "assessments/selfcheck_failures.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = SelfCheckFilterSet(
            {"year": _year(self.request), "unit": self.request.GET.get("unit", "")},
            queryset=self.get_queryset(),
            request=self.request,
        )
        context["filter_form"] = filterset.form
        for field in filterset.form.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if hasattr(field, "queryset") else "form-control"
            )
        context["year"] = _year(self.request)
        context["rows"], context["checked"] = most_failed(
            filterset.qs if filterset.is_valid() else filterset.qs.none()
        )
        return context


class SelfCheckRunView(ScopedViewMixin, generic.FormView):
    """POST year and unit: queue the run and follow its progress on the job's page."""

    required_action = Action.RUN_SELF_CHECKS
    form_class = SelfCheckRunForm
    template_name = "assessments/selfcheck_run.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            job = runs.start_run(self.request.user, form.cleaned_data["year"], form.cleaned_data["unit"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            return self.form_invalid(form)
        except JobsUnavailable as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, "已开始运行年度自查。")
        return redirect("job-detail", pk=job.pk)


# ---- the review workflow in the browser -------------------------------------------------------------


def _posted(step: Step, request) -> dict:
    """The step's inputs as its form posts them: a yes/no select ("true"/"false", None when nothing
    was chosen), a checkbox (unticked is false), a file from the upload, else the text as typed."""
    given = {}
    for declared in step.inputs:
        name = declared.name
        if declared.kind == Kind.FILE:
            given[name] = request.FILES.get(name)
        elif declared.kind == Kind.CHECKBOX:
            given[name] = request.POST.get(name) == "on"
        elif name in request.POST:
            value = request.POST[name]
            given[name] = {"true": True, "false": False}.get(value) if declared.kind == Kind.FLAG else value
    return given


# The steps posted from an item's row, which answer an htmx request with the row in place.
IN_ROW = {"judge", "evidence", "reuse-evidence"}


class SelfCheckStepView(ScopedViewMixin, generic.View):
    """POST any step of the table (`steps.STEPS`) from the self-check page. The step itself checks
    scope (404), role (403), input (shown again as messages) and status (409, with the reason).

    A judgement, an upload or last year's files filed again (`IN_ROW`), posted by htmx from the form
    in the item's row, answers with that row, the score header, the gap card and the workflow card,
    swapped in place (the page keeps its scroll position), with any refusal's reason shown in the row;
    without JavaScript it is a normal POST and a redirect back to the row."""

    model = SelfCheck
    object_view = True  # the step checks the role once it has found the self-check

    def post(self, request, pk, step):
        found = STEPS.get(step)
        if found is None or not found.page:
            raise Http404
        back = reverse("self-check-detail", args=[pk])
        judged = request.POST.get("indicator", "") if found.name in IN_ROW else ""
        in_place = bool(judged) and bool(request.htmx)
        if judged:
            back += f"#indicator-{quote(judged)}"
        try:
            found.function(request.user, pk, **_posted(found, request))
        except Conflict as exc:
            if in_place:
                return _judged_row(request, pk, judged, exc.messages)
            return refused(request, exc, back)
        except ValidationError as exc:
            errors = [error for errors in exc.message_dict.values() for error in errors]
            if in_place:
                return _judged_row(request, pk, judged, errors)
            for error in errors:
                messages.error(request, error)
            return redirect(back)
        if in_place:
            return _judged_row(request, pk, judged, [], done=found.done)
        messages.success(request, found.done)
        return redirect(back)


def _judged_row(request, pk, code: str, errors: list[str], done: str = ""):
    """The judged item's row, with the score header and the workflow card to swap out of band (the
    step found the self-check in the caller's scope before it refused or went through)."""
    check = SelfCheck.objects.visible_to(request.user).select_related("community", "edition").get(pk=pk)
    context = detail_context(request.user, check)
    row = next((row for row in context["rows"] if row["result"]["indicator"] == code), None)
    if row is None:  # no item of that code: nothing to swap, the reason is the answer
        return HttpResponseBadRequest("；".join(errors))
    return render(
        request,
        "assessments/_judged.html",
        {**context, "object": check, "row": row, "errors": errors, "done": done},
    )


class IndicatorEvidenceFileView(ScopedObjectMixin, generic.View):
    """An evidence file, served only to those who may read its self-check."""

    model = IndicatorEvidence

    def get(self, request, pk):
        evidence = get_object_or_404(self.get_queryset(), pk=pk)
        self.check_action(evidence)
        return attachment(evidence.file)


class IndicatorEvidenceRemoveView(ScopedViewMixin, generic.View):
    """POST: withdraw a file; from htmx the item's row answers in place, as an upload does."""

    model = IndicatorEvidence
    object_view = True  # the workflow checks scope and role once it has found the file

    def post(self, request, pk):
        evidence = get_object_or_404(self.get_queryset(), pk=pk)
        back = reverse("self-check-detail", args=[evidence.self_check_id])
        code = evidence.indicator
        try:
            workflow.remove_evidence(request.user, pk)
        except Conflict as exc:
            if request.htmx:
                return _judged_row(request, evidence.self_check_id, code, exc.messages)
            return refused(request, exc, back)
        if request.htmx:
            return _judged_row(request, evidence.self_check_id, code, [], done=WITHDRAWN)
        messages.success(request, WITHDRAWN)
        return redirect(f"{back}#indicator-{quote(code)}")


WITHDRAWN = "材料已撤回。"
