"""Pages of designations (称号): the register per year with its Excel export, one designation with its
certificate and (for the city) the revoke form, the city's 示范区 candidates, the city's settings
for the programme, and the public verification page `/verify/<code>/` (no login, throttled).

Like every portal page: login, then scope (404), then role (403); writes go through `designations`.

The year's creation activity (创建活动名单): each year the district (or the city) enrols
communities, about 20% of them (docs/standards.md); only enrolled communities can be submitted.

`/enrolments/?year=&unit=&kind=&search=` lists the communities the caller can see with this year's
self-check (proposed level, score, status) and whether each is enrolled, under a card with the share
enrolled in the shown unit against the target. The district reviewer and the city officer tick and
save the page; everybody else reads it.

A save names the year, the communities shown on the page and those ticked: the shown ones not
ticked leave the activity, the ticked ones join it, all in one transaction. An id outside the
caller's write scope refuses the whole save (400), and so does removing a community whose
self-check of that year was already submitted (409); a refused save changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, Value
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import generic

from assessments.models import SelfCheck
from assessments.unit_figures import enrolment_figure
from communities.models import Community
from core.exceptions import Conflict
from core.roles import Action
from core.scope import may
from core.views import (
    DefaultYearMixin,
    ScopedDetailView,
    ScopedListView,
    ScopedObjectMixin,
    ScopedViewMixin,
    refused,
)

from . import enrolments, titles
from .api.views import VerifyThrottle, certificate_response, find_by_code
from .filtersets import DesignationPageFilterSet, EnrolmentPageFilterSet
from .forms import CitySettingsForm, EnrolmentSaveForm, IssueDistrictForm, RevokeForm
from .models import Designation, Enrolment


def _year(request, source=None) -> int:
    value = (source if source is not None else request.GET).get("year", "")
    return int(value) if str(value).isdigit() else timezone.localdate().year


# ---- the register and one designation -------------------------------------------------------------


class DesignationListView(DefaultYearMixin, ScopedListView):
    """The register of a year (`?year=`, this year by default), filters title and unit, Excel export."""

    model = Designation
    filterset_class = DesignationPageFilterSet
    template_name = "designations/designation_list.html"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("community__unit__parent", "unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["year"] = _year(self.request)
        context["may_issue"] = bool(user.tenant_id) and may(user, Action.ACCEPT)
        context["rows"] = [(d, titles.status_of(d)) for d in context["object_list"]]
        return context


class DesignationDetailView(ScopedDetailView):
    model = Designation
    template_name = "designations/designation_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("community__unit__parent", "unit", "issued_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        designation, user = self.object, self.request.user
        status, label = titles.status_of(designation)
        context.update(
            status=status,
            status_label=label,
            code_display=designation.code_display,
            verify_url=self.request.build_absolute_uri(designation.verify_path),
            self_check=(
                SelfCheck.objects.visible_to(user).filter(pk=designation.self_check_id).first()
                if designation.self_check_id
                else None
            ),
            may_revoke=not designation.revoked and may(user, Action.ACCEPT, designation),
        )
        if context["may_revoke"]:
            context.setdefault("revoke_form", RevokeForm())
        return context


class DesignationRevokeView(ScopedObjectMixin, generic.View):
    """POST reason: the city revokes (404 outside scope, 403 other roles, the form again without a
    reason, 409 when already revoked)."""

    model = Designation
    required_action = Action.ACCEPT

    def post(self, request, pk):
        designation = get_object_or_404(self.get_queryset(), pk=pk)
        self.check_action(designation)
        form = RevokeForm(request.POST)
        if form.is_valid():
            try:
                titles.revoke(designation, request.user, form.cleaned_data["reason"])
            except Conflict as exc:
                return refused(request, exc, reverse("designation-detail", args=[designation.pk]))
            except ValidationError as exc:
                for message in exc.message_dict.get("reason", exc.messages):
                    form.add_error("reason", message)
            else:
                messages.success(request, f"已撤销“{designation}”。")
                return redirect("designation-detail", pk=designation.pk)
        detail = DesignationDetailView()
        detail.setup(request, pk=pk)
        detail.object = designation
        return render(request, detail.template_name, detail.get_context_data(revoke_form=form))


class DesignationCertificateView(ScopedObjectMixin, generic.View):
    """The certificate PDF (a revoked one too, stamped 已撤销)."""

    model = Designation

    def get(self, request, pk):
        designation = get_object_or_404(
            self.get_queryset().select_related("community__unit__parent", "unit__parent"), pk=pk
        )
        self.check_action(designation)
        return certificate_response(designation, request)


# ---- the city's pages -----------------------------------------------------------------------------


class CityOfficerMixin(ScopedViewMixin):
    """The city's own programme pages: its officer only (platform superusers have no city)."""

    required_action = Action.ACCEPT

    def check_action(self, obj=None):
        if not self.request.user.tenant_id:
            raise PermissionDenied
        super().check_action(obj)


class ModelDistrictView(CityOfficerMixin, generic.TemplateView):
    """示范区: each district's share of 示范 communities in a year against the city's threshold; a
    district that reaches it can be given the title."""

    template_name = "designations/designation_districts.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year = _year(self.request)
        context.update(
            year=year,
            tenant=user.tenant,
            rows=titles.model_district_candidates(user.tenant_id, year),
            this_year=timezone.localdate().year,
        )
        return context

    def post(self, request):
        form = IssueDistrictForm(request.POST, user=request.user)
        back = f"{reverse('designation-districts')}?year={_year(request, request.POST)}"
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, errors[0])
            return redirect(back)
        district, year = form.cleaned_data["district"], form.cleaned_data["year"]
        try:
            designation = titles.issue(
                title=Designation.Title.MODEL_DISTRICT, year=year, user=request.user, unit=district
            )
        except Conflict as exc:
            return refused(request, exc, reverse("designation-list"))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(back)
        messages.success(request, f"已授予{district.name}{year}年度“示范区”称号。")
        return redirect("designation-detail", pk=designation.pk)


class CitySettingsView(CityOfficerMixin, generic.FormView):
    """The city's choices: years a designation stays valid, and the 示范 share a 示范区 needs."""

    form_class = CitySettingsForm
    template_name = "designations/designation_settings.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.request.user.tenant}

    def form_valid(self, form):
        form.save()
        messages.success(self.request, "称号设置已保存。")
        return redirect("designation-settings")


# ---- public verification --------------------------------------------------------------------------


@method_decorator(login_not_required, name="dispatch")
class VerifyPageView(generic.View):
    """`/verify/<code>/` for anyone holding a certificate: holder, title, year, validity and a clear
    有效 / 已过期 / 已撤销. An unknown code is a 404 page; too many look-ups from one address a 429."""

    template_name = "designations/verify.html"

    def get(self, request, code):
        throttle = VerifyThrottle()
        if not throttle.allow_request(request, self):
            return render(request, self.template_name, {"throttled": True, "code": code}, status=429)
        try:
            designation = find_by_code(code)
        except Http404:  # the page says so itself
            return render(request, self.template_name, {"code": code}, status=404)
        community = designation.community
        status, label = titles.status_of(designation)
        return render(
            request,
            self.template_name,
            {
                "code": code,
                "designation": designation,
                "holder": community.name if community else designation.unit.name,
                "town": community.unit if community else None,
                "district": community.unit.parent if community else designation.unit,
                "status": status,
                "status_label": label,
            },
        )


def _this_year() -> int:
    return timezone.localdate().year


class EnrolmentView(DefaultYearMixin, ScopedListView):
    """GET: the communities with this year's self-check and enrolment (read); POST: save the page
    (Action.ENROL)."""

    model = Community
    filterset_class = EnrolmentPageFilterSet
    template_name = "designations/enrolment_list.html"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        self.query = request.GET
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not may(request.user, Action.ENROL):
            raise PermissionDenied
        form = EnrolmentSaveForm(request.POST)
        if not form.is_valid():
            message = next(iter(form.errors.values()))[0]
            return self._refuse(request, message, status=400)
        year = form.cleaned_data["year"]
        shown, ticked = form.cleaned_data["shown"], form.cleaned_data["enrolled"]
        try:
            added, removed = enrolments.save_page(request.user, year, shown, ticked)
        except Conflict as exc:
            return self._refuse(request, exc.messages[0], status=409, year=year)
        except ValidationError as exc:
            return self._refuse(request, exc.messages[0], status=400, year=year)
        if added or removed:
            messages.success(request, f"已保存{year}年度创建活动名单:新增{added}个,移出{removed}个。")
        else:
            messages.info(request, "名单没有变化。")
        query = request.GET.copy()
        query["year"] = year
        return redirect(f"{request.path}?{query.urlencode()}")

    def _refuse(self, request, message: str, status: int, year: int | None = None):
        """The page again, as it stands (nothing was changed), with the reason."""
        messages.error(request, message)
        query = request.GET.copy()
        if year is not None or "year" not in query:
            query["year"] = year or _this_year()
        self.query = query
        response = super().get(request)
        response.status_code = status
        return response

    # ---- the list ---------------------------------------------------------------------------------

    def get_queryset(self):
        user = self.request.user
        self.filterset = self.filterset_class(
            self.query, queryset=Community.objects.visible_to(user), request=self.request
        )
        if not self.filterset.is_valid():
            self.year = None
            return Community.objects.none()
        self.year = self.filterset.form.cleaned_data.get("year") or _this_year()
        writable = (
            Exists(Community.objects.within_scope(user).filter(pk=OuterRef("pk")))
            if may(user, Action.ENROL)
            else Value(False)
        )
        return (
            self.filterset.qs.select_related("unit__parent")
            .annotate(
                # one self-check per community and year: a left join, no second row
                this_year=FilteredRelation("self_checks", condition=Q(self_checks__year=self.year)),
                check_id=F("this_year__id"),
                check_status=F("this_year__status"),
                check_proposed_level=F("this_year__proposed_level"),
                check_score=F("this_year__score"),
                enrolled=Exists(Enrolment.objects.filter(community=OuterRef("pk"), year=self.year)),
                writable=writable,
            )
            .order_by("unit__path", "name", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, year = self.request.user, self.year
        for community in context["object_list"]:
            community.check_status_display = (
                SelfCheck.Status(community.check_status).label if community.check_status else ""
            )
            community.check_level_display = (
                SelfCheck.level_label(community.check_proposed_level) if community.check_id else ""
            )
            # enrolled and already submitted (or further): stays in the activity
            community.locked = community.enrolled and community.check_status not in (
                None,
                *SelfCheck.OPEN_STATUSES,
            )
            community.editable = community.writable and not community.locked
        query = self.query.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        context["year"] = year
        context["may_enrol"] = year is not None and may(user, Action.ENROL)
        context["may_save"] = context["may_enrol"] and any(c.editable for c in context["object_list"])
        if year is not None:
            unit = self.filterset.form.cleaned_data.get("unit")
            if unit is None or (user.unit is not None and user.unit.path.startswith(unit.path)):
                unit = user.unit  # an ancestor of the caller's unit shows only the caller's part of it
            communities = Community.objects.visible_to(user)
            if unit is not None:
                communities = communities.filter(unit__path__startswith=unit.path)
            context["figure"] = enrolment_figure(communities, year)
            context["figure_unit"] = unit
        return context
