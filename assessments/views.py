"""Pages of the standards: the list, an edition grouped by category, and the city officer's workflow
(copy, edit the draft, add an own indicator, publish with confirmation). Views find the object in
the caller's visible scope (404), check the role on it (403), refuse changes to a published edition
(409) and leave every write to `services`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import generic

from communities.models import Community
from core.exceptions import JobsUnavailable
from core.roles import Action
from core.scope import may
from core.views import (
    DefaultYearMixin,
    ScopedDetailView,
    ScopedListView,
    ScopedObjectMixin,
    ScopedViewMixin,
    attachment,
)

from . import selfchecks, services, workflow
from .evaluator import evaluator_for, show_result
from .figures import enrolment_figure, most_failed, unit_figures
from .filtersets import SelfCheckFilterSet, StandardEditionPageFilterSet
from .forms import EditionForm, IndicatorForm, NewIndicatorForm, RuleFormMixin, SelfCheckRunForm
from .models import (
    Conflict,
    Designation,
    EditionLocked,
    Enrolment,
    Indicator,
    IndicatorEvidence,
    Level,
    SelfCheck,
    SiteVisit,
    StandardEdition,
)


class ConflictMixin:
    """A step out of order (a change to a published edition) is answered 409 with the reason."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except Conflict as exc:
            return render(
                request,
                "assessments/conflict.html",
                {"message": exc.messages[0], "edition_id": kwargs.get("edition")},
                status=409,
            )


class EditionObjectMixin(ConflictMixin, ScopedObjectMixin):
    """The edition named in the URL: visible (else 404), the role may act on it (else 403) and, for
    the workflow's writes, still a draft (else 409)."""

    model = StandardEdition
    required_action = Action.MANAGE_STANDARDS
    draft_only = True

    def get_edition(self) -> StandardEdition:
        if not hasattr(self, "edition"):
            edition = get_object_or_404(
                StandardEdition.objects.visible_to(self.request.user), pk=self.kwargs["edition"]
            )
            self.check_action(edition)
            if self.draft_only and edition.is_published:
                raise EditionLocked()
            self.edition = edition
        return self.edition

    def get_context_data(self, **kwargs):
        kwargs["edition"] = self.get_edition()  # the object, not the id from the URL
        return super().get_context_data(**kwargs)


def _form_errors_from(form, exc: ValidationError):
    """A service's validation error (re-checked inside its transaction) onto the form's fields."""
    if isinstance(form, RuleFormMixin):
        form._update_errors(exc)  # maps the model's threshold/params onto the fields filled in
        return
    for field, errors in (exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}).items():
        form.add_error(field if field in form.fields else None, errors)


class EditionListView(ScopedListView):
    model = StandardEdition
    filterset_class = StandardEditionPageFilterSet
    template_name = "assessments/edition_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("tenant", "based_on")
            .annotate(n=Count("indicators"))
            .order_by("applies_to", "code", "version", "pk")
        )


class EditionDetailView(ScopedDetailView):
    model = StandardEdition
    pk_url_kwarg = "edition"
    template_name = "assessments/edition_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("tenant", "based_on", "created_by", "published_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        edition, user = self.object, self.request.user
        groups: dict[str, list[Indicator]] = {}
        for indicator in edition.indicators.order_by("order", "pk"):
            groups.setdefault(indicator.category, []).append(indicator)
        level_counts = {
            code: sum(1 for rows in groups.values() for row in rows if row.level == code)
            for code in edition.levels
        }
        context.update(
            groups=list(groups.items()),
            level_labels=[(Level(code).label, level_counts[code]) for code in edition.levels],
            may_copy=edition.is_published and bool(user.tenant_id) and may(user, Action.MANAGE_STANDARDS),
            may_edit=not edition.is_published and may(user, Action.MANAGE_STANDARDS, edition),
            copies=StandardEdition.objects.visible_to(user).filter(based_on=edition).order_by("-version"),
        )
        return context


class EditionCopyView(EditionObjectMixin, generic.View):
    """POST: copy a published edition (the shipped one or the city's own) into a new draft version."""

    draft_only = False

    def check_action(self, obj=None):
        # The source may be a shipped edition, which is nobody's to write: copying writes only into
        # the caller's own city, so the role is what counts here.
        super().check_action(None)

    def post(self, request, edition):
        copy = services.copy_edition(self.get_edition(), request.user)
        messages.success(request, f"已复制为第{copy.version}版草稿,可修改阈值、等级和权重后发布。")
        return redirect("standard-detail", edition=copy.pk)


class EditionUpdateView(EditionObjectMixin, generic.UpdateView):
    form_class = EditionForm
    template_name = "assessments/edition_form.html"

    def get_object(self, queryset=None):
        return self.get_edition()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            changes = {name: form.cleaned_data[name] for name in form._meta.fields if name in form.fields}
            services.update_edition(self.object, self.request.user, **changes)
        except Conflict:
            raise
        except ValidationError as exc:
            _form_errors_from(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "标准信息已保存。")
        return redirect("standard-detail", edition=self.object.pk)


class EditionPublishView(EditionObjectMixin, generic.TemplateView):
    template_name = "assessments/edition_publish.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(changes=services.changes_since_source(self.get_edition()), **kwargs)

    def post(self, request, edition):
        draft = self.get_edition()
        try:
            published = services.publish(draft, request.user)
        except Conflict:
            raise
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("standard-publish", edition=draft.pk)
        messages.success(request, f"{published.code} 第{published.version}版已发布,此后不能再修改。")
        return redirect("standard-detail", edition=published.pk)


class EditionDeleteView(EditionObjectMixin, generic.TemplateView):
    template_name = "assessments/edition_confirm_delete.html"

    def post(self, request, edition):
        draft = self.get_edition()
        services.delete_draft(draft, request.user)
        messages.success(request, f"已删除草稿“{draft}”。")
        return redirect("standard-list")


class IndicatorMixin(EditionObjectMixin):
    def get_object(self, queryset=None):
        indicator = get_object_or_404(
            Indicator.objects.visible_to(self.request.user).select_related("edition"),
            pk=self.kwargs["pk"],
            edition_id=self.kwargs["edition"],
        )
        self.get_edition()
        return indicator


class IndicatorUpdateView(IndicatorMixin, generic.UpdateView):
    form_class = IndicatorForm
    template_name = "assessments/indicator_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            services.update_indicator(self.object, self.request.user, **form.changes())
        except Conflict:
            raise
        except ValidationError as exc:
            _form_errors_from(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"指标 {self.object.code} 已保存。")
        return redirect(
            reverse("standard-detail", kwargs={"edition": self.object.edition_id}) + f"#{self.object.code}"
        )


class IndicatorCreateView(EditionObjectMixin, generic.FormView):
    form_class = NewIndicatorForm
    template_name = "assessments/indicator_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "edition": self.get_edition()}

    def form_valid(self, form):
        try:
            indicator = services.add_indicator(
                self.get_edition(), self.request.user, **form.fields_for_service()
            )
        except Conflict:
            raise
        except ValidationError as exc:
            _form_errors_from(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"已新增指标 {indicator.code}。")
        return redirect(
            reverse("standard-detail", kwargs={"edition": indicator.edition_id}) + f"#{indicator.code}"
        )


class IndicatorDeleteView(IndicatorMixin, generic.DetailView):
    template_name = "assessments/indicator_confirm_delete.html"
    context_object_name = "indicator"

    def post(self, request, edition, pk):
        indicator = self.get_object()
        services.remove_indicator(indicator, request.user)
        messages.success(request, f"已从草稿中删除指标 {indicator.code}。")
        return redirect("standard-detail", edition=edition)


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


class SelfCheckDetailView(ScopedDetailView):
    """One self-check: each indicator with its value, requirement, reason and its trend over the years."""

    model = SelfCheck
    template_name = "assessments/selfcheck_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("community__unit__parent", "edition")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        check = self.object
        years = (
            SelfCheck.objects.visible_to(self.request.user)
            .filter(community_id=check.community_id)
            .order_by("year")
            .values_list("year", "results")
        )
        trend: dict[str, list] = {}
        for year, results in years:
            for result in results:
                trend.setdefault(result["indicator"], []).append({"year": year, **result})
        indicators = evaluator_for(check.edition).by_code
        context["rows"] = [
            {
                "indicator": indicators.get(result["indicator"]),
                "result": result,
                "shown": show_result(indicators.get(result["indicator"]), result["value"]),
                "trend": trend.get(result["indicator"], []),
            }
            for result in check.results
        ]
        context["gaps"] = check.gaps
        context["years"] = [year for year, _ in years]
        context.update(self._workflow(check))
        evidence: dict[str, list] = {}
        user = self.request.user
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
            kind = row["indicator"].check_kind if row["indicator"] else None
            row["judgeable"] = (kind == Indicator.Check.EVIDENCE and context["can_review"]) or (
                kind == Indicator.Check.SITE and context["can_accept"]
            )
        return context

    def _workflow(self, check: SelfCheck) -> dict:
        """Which steps the caller may take now (the steps check again when posted)."""
        user, status = self.request.user, check.status
        levels = list(check.edition.levels)
        reached = levels.index(check.level) + 1 if check.level in levels else 0
        reopen_action = {
            SelfCheck.Status.DISTRICT_APPROVED: Action.REOPEN_DISTRICT_APPROVED,
            SelfCheck.Status.ACCEPTED: Action.REOPEN_DECIDED,
            SelfCheck.Status.REJECTED: Action.REOPEN_DECIDED,
        }.get(status)
        return {
            "enrolled": Enrolment.objects.visible_to(user)
            .filter(community_id=check.community_id, year=check.year)
            .exists(),
            "can_submit": check.is_open and may(user, Action.SUBMIT, check),
            "can_review": status == SelfCheck.Status.SUBMITTED and may(user, Action.REVIEW, check),
            "can_accept": status == SelfCheck.Status.DISTRICT_APPROVED and may(user, Action.ACCEPT, check),
            "can_reopen": reopen_action is not None and may(user, reopen_action, check),
            "designation_choices": [
                (code, SelfCheck.level_label(code)) for code in reversed(levels[:reached])
            ],
            "site_visit": SiteVisit.objects.visible_to(user).filter(self_check=check).first(),
            "designation": Designation.objects.visible_to(user).filter(self_check=check).first(),
            "events": check.events.select_related("actor"),
            "can_file": check.is_open and may(user, Action.SUBMIT, check),
        }


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
            job = selfchecks.start_run(
                self.request.user, form.cleaned_data["year"], form.cleaned_data["unit"]
            )
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


def _flag(value):
    """A yes/no radio as the workflow expects it: True, False, or None when nothing was chosen."""
    return {"true": True, "false": False}.get(value)


class SelfCheckStepView(ScopedViewMixin, generic.View):
    """POST one workflow step from the self-check page. The step itself checks scope (404), role (403),
    input (shown again as messages) and status (409, with the reason)."""

    model = SelfCheck
    object_view = True  # the step checks the role once it has found the self-check
    STEPS = {
        "submit": (workflow.submit, ()),
        "judge": (workflow.judge, ("indicator", "passed", "note")),
        "review": (workflow.review, ("decision", "comment")),
        "site-visit": (
            workflow.record_site_visit,
            (
                "visited_on",
                "forum_held",
                "forum_participants",
                "questionnaire_sample",
                "satisfaction_score",
                "note",
            ),
        ),
        "accept": (workflow.accept, ("designation", "comment")),
        "reopen": (workflow.reopen, ("reason",)),
        "evidence": (workflow.file_evidence, ("indicator", "description")),
        "reuse-evidence": (workflow.reuse_evidence, ("indicator",)),
    }
    DONE = {
        "submit": "已提交区县审核。",
        "judge": "已记录判定。",
        "review": "已完成审核。",
        "site-visit": "已记录实地评估。",
        "accept": "已完成市级验收。",
        "reopen": "已撤回。",
        "evidence": "材料已提交。",
        "reuse-evidence": "已沿用去年的材料。",
    }

    def post(self, request, pk, step):
        if step not in self.STEPS:
            raise Http404
        function, fields = self.STEPS[step]
        payload = {name: request.POST[name] for name in fields if name in request.POST}
        if "passed" in payload:
            payload["passed"] = _flag(payload["passed"])
        if step == "site-visit":
            payload["forum_held"] = request.POST.get("forum_held") == "on"
        if step == "evidence":
            payload["file"] = request.FILES.get("file")
        back = reverse("self-check-detail", args=[pk])
        try:
            function(request.user, pk, **payload)
        except Conflict as exc:
            return render(
                request, "assessments/conflict.html", {"message": exc.messages[0], "back": back}, status=409
            )
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(back)
        messages.success(request, self.DONE[step])
        return redirect(back)


class IndicatorEvidenceFileView(ScopedObjectMixin, generic.View):
    """An evidence file, served only to those who may read its self-check."""

    model = IndicatorEvidence

    def get(self, request, pk):
        evidence = get_object_or_404(self.get_queryset(), pk=pk)
        self.check_action(evidence)
        return attachment(evidence.file)


class IndicatorEvidenceRemoveView(ScopedViewMixin, generic.View):
    model = IndicatorEvidence
    object_view = True  # the workflow checks scope and role once it has found the file

    def post(self, request, pk):
        evidence = get_object_or_404(self.get_queryset(), pk=pk)
        back = reverse("self-check-detail", args=[evidence.self_check_id])
        try:
            workflow.remove_evidence(request.user, pk)
        except Conflict as exc:
            return render(
                request, "assessments/conflict.html", {"message": exc.messages[0], "back": back}, status=409
            )
        messages.success(request, "材料已撤回。")
        return redirect(back)
