"""The year's creation activity (创建活动名单, issue #5): each year the district (or the city) enrols
communities, about 20% of them (STANDARD.md); only enrolled communities can be submitted.

`/enrolments/?year=&unit=&kind=&search=` lists the communities the caller can see with this year's
self-check (proposed level, score, status) and whether each is enrolled, under a card with the share
enrolled in the shown unit against the target. The district reviewer and the city officer tick and
save the page; everybody else reads it.

A save names the year, the communities shown on the page and those ticked: the shown ones not
ticked leave the activity, the ticked ones join it, all in one transaction. An id outside the
caller's write scope refuses the whole save (400), and so does removing a community whose
self-check of that year was already submitted (409); a refused save changes nothing.
"""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, Value
from django.shortcuts import redirect
from django.utils import timezone

from communities.models import Community
from core.exceptions import Conflict
from core.filtersets import MAX_ID, UnitSubtreeFilter, YearFilter
from core.roles import Action
from core.scope import may
from core.validators import YEAR_VALIDATORS
from core.views import DefaultYearMixin, ScopedListView

from .figures import enrolment_figure
from .models import Enrolment, SelfCheck
from .signals import figures_changed

# At most this many community ids in one save (a page shows 50; the API clamps pages to 500).
MAX_IDS = 500


def _this_year() -> int:
    return timezone.localdate().year


def _keep(queryset, name, value):
    """The year picks the enrolments and self-checks shown, not the communities listed."""
    return queryset


class EnrolmentPageFilterSet(django_filters.FilterSet):
    """`?year=` (validated like every record's year), `?unit=` (subtree, among the visible units),
    `?kind=` and `?search=` (community name)."""

    year = YearFilter(method=_keep, validators=YEAR_VALIDATORS)
    unit = UnitSubtreeFilter()
    kind = django_filters.ChoiceFilter(choices=Community.Kind.choices, label="社区类别", empty_label="全部")
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="社区名称")

    class Meta:
        model = Community
        fields = ["year", "unit", "kind", "search"]


class CommunityIdsField(forms.Field):
    """A list of community ids from repeated inputs of one name."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return set()
        if not isinstance(value, list | tuple):
            value = [value]
        if len(value) > MAX_IDS:
            raise ValidationError(f"一次最多保存{MAX_IDS}个社区。")
        try:
            ids = {int(item) for item in value}
        except (TypeError, ValueError):
            raise ValidationError("提交的社区编号无效。") from None
        if any(not 0 < pk <= MAX_ID for pk in ids):
            raise ValidationError("提交的社区编号无效。")
        return ids


class EnrolmentSaveForm(forms.Form):
    year = forms.IntegerField(
        validators=YEAR_VALIDATORS,
        error_messages={"required": "请填写年度。", "invalid": "年度须为整数。"},
    )
    shown = CommunityIdsField(required=False)
    enrolled = CommunityIdsField(required=False)

    def clean(self):
        cleaned = super().clean()
        if len(cleaned.get("shown", set()) | cleaned.get("enrolled", set())) > MAX_IDS:
            raise ValidationError(f"一次最多保存{MAX_IDS}个社区。")
        return cleaned


def save_enrolments(user, year: int, shown: set[int], ticked: set[int]) -> tuple[int, int]:
    """Enrol the ticked communities in `year`'s activity and remove the shown ones not ticked, in one
    transaction; (added, removed). Raises ValidationError for an id outside the caller's write scope
    and Conflict for a removal whose self-check of that year is past `draft`/`returned`; either way
    nothing is changed."""
    ids = shown | ticked
    with transaction.atomic():
        communities = Community.objects.within_scope(user)
        in_scope = set(communities.filter(pk__in=ids).values_list("pk", flat=True))
        if ids - in_scope:
            raise ValidationError("所选社区中有不在您管辖范围内的社区,未作任何更改。")
        enrolments = Enrolment.objects.within_scope(user).filter(year=year)
        enrolled = set(
            enrolments.select_for_update().filter(community_id__in=ids).values_list("community_id", flat=True)
        )
        removing = (shown - ticked) & enrolled
        blocked = Enrolment.in_review(year, removing)
        if blocked:
            names = "、".join(
                communities.filter(pk__in=blocked)
                .order_by("unit__path", "name")
                .values_list("name", flat=True)
            )
            raise Conflict(
                f"{names}{year}年度的自查已提交区县审核(或已审核),不能移出创建活动名单。未作任何更改。"
            )
        enrolments.filter(community_id__in=removing).delete()  # checked above: none in review
        adding = ticked - enrolled
        Enrolment.objects.bulk_create(
            [Enrolment(community_id=pk, year=year, enrolled_by=user) for pk in sorted(adding)],
            ignore_conflicts=True,  # enrolled meanwhile by somebody else: already what was asked
        )
        if adding:  # a bulk insert sends no post_save: the enrolment figures end here
            figures_changed(Enrolment, community_ids=sorted(adding))
    return len(adding), len(removing)


class EnrolmentView(DefaultYearMixin, ScopedListView):
    """GET: the communities with this year's self-check and enrolment (read); POST: save the page
    (Action.ENROL)."""

    model = Community
    filterset_class = EnrolmentPageFilterSet
    template_name = "assessments/enrolment_list.html"
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
            added, removed = save_enrolments(request.user, year, shown, ticked)
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
