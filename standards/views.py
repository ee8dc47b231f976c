from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import generic

from core.exceptions import Conflict
from core.roles import Action
from core.scope import may
from core.views import (
    ConflictMixin,
    ScopedDetailView,
    ScopedListView,
    ScopedObjectMixin,
)

from . import editing, printing
from .filtersets import StandardEditionPageFilterSet
from .forms import EditionForm, IndicatorForm, NewIndicatorForm, RuleFormMixin
from .models import EditionLocked, Indicator, StandardEdition


class EditionObjectMixin(ConflictMixin, ScopedObjectMixin):
    """The edition named in the URL: visible (else 404), the role may act on it (else 403) and, for
    the workflow's writes, still a draft (else 409)."""

    model = StandardEdition
    required_action = Action.MANAGE_STANDARDS
    draft_only = True

    def conflict_back(self) -> str:
        # A change to a published edition: back to that edition.
        return reverse("standard-detail", args=[self.kwargs["edition"]])

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
    if isinstance(form, (RuleFormMixin, EditionForm)):
        form._update_errors(exc)  # maps the model's threshold/params/min_scores onto the inputs filled in
        return
    for field, errors in (exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}).items():
        form.add_error(field if field in form.fields else None, errors)


def sheet_tree(indicators: list[Indicator]) -> list[dict]:
    """The 评分表 as printed: 一级 sections, each with its 二级 parts and their items, in the order of
    the items; subtotals count full marks (bonus items apart). An item without a section sits under
    its category."""
    sections: dict[str, dict] = {}
    for indicator in indicators:
        path = list(indicator.section or []) or [indicator.category]
        section = sections.setdefault(
            path[0], {"title": path[0], "points": Decimal(0), "bonus": Decimal(0), "parts": {}}
        )
        title = " / ".join(path[1:])
        part = section["parts"].setdefault(
            title, {"title": title, "points": Decimal(0), "bonus": Decimal(0), "items": []}
        )
        part["items"].append(indicator)
        for node in (section, part):
            node["bonus" if indicator.bonus else "points"] += indicator.points
    for section in sections.values():
        section["parts"] = list(section["parts"].values())
    return list(sections.values())


class EditionListView(ScopedListView):
    model = StandardEdition
    filterset_class = StandardEditionPageFilterSet
    template_name = "standards/edition_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("tenant", "based_on")
            .annotate(n=Count("indicators"))
            .order_by("applies_to", "code", "version", "pk")
        )


class EditionSheetView(ScopedObjectMixin, generic.View):
    """The edition's blank 评分表 as PDF or Excel (`sheet.pdf`, `sheet.xlsx`), for whoever reads it."""

    model = StandardEdition

    def get(self, request, edition, file_format):
        edition = get_object_or_404(self.get_queryset(), pk=edition)
        self.check_action(edition)
        return printing.file_response(printing.blank(edition), file_format, printing.blank_name(edition))


class EditionDetailView(ScopedDetailView):
    model = StandardEdition
    pk_url_kwarg = "edition"
    template_name = "standards/edition_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("tenant", "based_on", "created_by", "published_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        edition, user = self.object, self.request.user
        indicators = list(edition.indicators.order_by("order", "pk"))
        context.update(
            sections=sheet_tree(indicators),
            bands=[
                {
                    "label": label,
                    "min_score": edition.min_score(code),
                    "veto": [row.code for row in indicators if code in (row.veto or [])],
                }
                for code, label in edition.level_choices()
            ],
            level_labels=[
                (label, sum(1 for row in indicators if row.level == code))
                for code, label in edition.level_choices()
            ],
            full_marks=sum((row.points for row in indicators if not row.bonus), Decimal(0)),
            bonus_points=sum((row.points for row in indicators if row.bonus), Decimal(0)),
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
        copy = editing.copy_edition(self.get_edition(), request.user)
        messages.success(request, f"已复制为第{copy.version}版草稿,可修改评分表和阈值后发布。")
        return redirect("standard-detail", edition=copy.pk)


class EditionUpdateView(EditionObjectMixin, generic.UpdateView):
    form_class = EditionForm
    template_name = "standards/edition_form.html"

    def get_object(self, queryset=None):
        return self.get_edition()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            editing.update_edition(self.object, self.request.user, **form.changes())
        except Conflict:
            raise
        except ValidationError as exc:
            _form_errors_from(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "标准信息已保存。")
        return redirect("standard-detail", edition=self.object.pk)


class EditionPublishView(EditionObjectMixin, generic.TemplateView):
    template_name = "standards/edition_publish.html"

    def get_context_data(self, **kwargs):
        draft = self.get_edition()
        return super().get_context_data(
            changes=editing.changes_since_source(draft),
            preview=editing.preview(draft, self.request.user),
            **kwargs,
        )

    def post(self, request, edition):
        draft = self.get_edition()
        try:
            published = editing.publish(draft, request.user)
        except Conflict:
            raise
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("standard-publish", edition=draft.pk)
        messages.success(request, f"{published.code} 第{published.version}版已发布,此后不能再修改。")
        return redirect("standard-detail", edition=published.pk)


class EditionDeleteView(EditionObjectMixin, generic.TemplateView):
    template_name = "standards/edition_confirm_delete.html"

    def post(self, request, edition):
        draft = self.get_edition()
        editing.delete_draft(draft, request.user)
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
    template_name = "standards/indicator_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            editing.update_indicator(self.object, self.request.user, **form.changes())
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
    template_name = "standards/indicator_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "edition": self.get_edition()}

    def form_valid(self, form):
        try:
            indicator = editing.add_indicator(
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
    template_name = "standards/indicator_confirm_delete.html"
    context_object_name = "indicator"

    def post(self, request, edition, pk):
        indicator = self.get_object()
        editing.remove_indicator(indicator, request.user)
        messages.success(request, f"已从草稿中删除指标 {indicator.code}。")
        return redirect("standard-detail", edition=edition)
