from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views import generic
from guardian.shortcuts import assign_perm, get_users_with_perms, remove_perm

from core import privacy
from core.exceptions import JobsUnavailable
from core.fields import attachment_header, typed_name
from core.models import Job
from core.roles import Action
from core.scope import may
from core.tasks import dispatch
from core.views import (
    ScopedCreateView,
    ScopedDeleteView,
    ScopedDetailView,
    ScopedListView,
    ScopedObjectMixin,
    ScopedUpdateView,
    ScopedViewMixin,
    attachment,
)

from . import records
from .filtersets import CommunityFilterSet, TownRecognitionFilterSet
from .forms import XLSX, CommunityForm, GrantViewerForm, ImportForm, TownRecognitionForm
from .history import describe
from .imports import template_workbook
from .models import Community, TownRecognition
from .tasks import run_import


class CommunityListView(ScopedListView):
    model = Community
    filterset_class = CommunityFilterSet
    template_name = "communities/community_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("unit__parent")


class CommunityDetailView(ScopedDetailView):
    model = Community
    template_name = "communities/community_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("unit__parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["may_edit"] = may(user, Action.EDIT_RECORDS, self.object)
        context["sections"] = self._sections()
        context["records_shown"] = RECORDS_SHOWN
        if user.can(Action.MANAGE_USERS):
            context["viewers"] = get_users_with_perms(
                self.object,
                only_with_perms_in=["view_community"],
                with_superusers=False,
                with_group_users=False,
            )
            context["grant_form"] = GrantViewerForm(user=user)
        return context

    def _sections(self):
        """Each registered record type's rows for this community, grouped as the standard groups them."""
        grouped = {}
        for record_type in records.all_types():
            rows = record_type.model.objects.visible_to(self.request.user).filter(community=self.object)
            # select_related: the cells (and the personal-data rule, core.privacy) read the row's unit
            rows = rows.select_related(*record_type.select_related).order_by(*record_type.ordering)
            grouped.setdefault(record_type.section, []).append((record_type, list(rows[:RECORDS_SHOWN])))
        return list(grouped.items())


# Rows of each record type shown on the community page; the full list is one click away.
RECORDS_SHOWN = 20


class CommunityCreateView(ScopedCreateView):
    model = Community
    form_class = CommunityForm
    template_name = "communities/community_form.html"
    success_message = "社区已创建。"

    def get_success_url(self):
        return reverse("community-detail", args=[self.object.pk])


class CommunityUpdateView(ScopedUpdateView):
    model = Community
    form_class = CommunityForm
    template_name = "communities/community_form.html"
    success_message = "社区信息已保存。"

    def get_success_url(self):
        return reverse("community-detail", args=[self.object.pk])


class CommunityDeleteView(ScopedDeleteView):
    model = Community
    template_name = "communities/community_confirm_delete.html"
    success_url = reverse_lazy("community-list")


class CommunityViewerView(ScopedObjectMixin, generic.View):
    """Grant or withdraw one named user's read access to one community (a guardian exception)."""

    model = Community
    required_action = Action.MANAGE_USERS

    def post(self, request, pk):
        community = get_object_or_404(self.get_queryset(), pk=pk)
        self.check_action(community)
        if "revoke" in request.POST:
            account = get_object_or_404(
                community.communityuserobjectpermission_set.filter(
                    user_id=request.POST["revoke"], permission__codename="view_community"
                ).select_related("user")
            ).user
            remove_perm("view_community", account, community)
            messages.success(request, f"已撤销 {account} 的查看授权。")
            return redirect("community-detail", pk=pk)
        form = GrantViewerForm(request.POST, user=request.user)
        if form.is_valid():
            assign_perm("view_community", form.cleaned_data["username"], community)
            messages.success(request, f"已授权 {form.cleaned_data['username']} 查看本社区。")
        else:
            messages.error(request, form.errors["username"][0])
        return redirect("community-detail", pk=pk)


class ImportView(ScopedViewMixin, generic.FormView):
    """Upload a workbook of communities, members and facilities; it is checked (and, unless only a
    check was asked for, imported) by a background job whose page shows every bad row."""

    required_action = Action.EDIT_RECORDS
    form_class = ImportForm
    template_name = "communities/import.html"

    def form_valid(self, form):
        upload = form.cleaned_data["workbook"]
        # The form accepted only workbook bytes: stored as .xlsx under a sanitised name, whatever it was called.
        name = typed_name(upload.name, XLSX)
        stored = default_storage.save(f"imports/{timezone.now():%Y/%m}/{name}", upload)
        job = Job.objects.create(
            owner=self.request.user,
            kind=Job.Kind.IMPORT,
            params={"file": stored, "name": name, "check_only": form.cleaned_data["check_only"]},
        )
        try:
            dispatch(job, run_import)
        except JobsUnavailable as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        return redirect("job-detail", pk=job.pk)


class ImportTemplateView(ScopedViewMixin, generic.View):
    required_action = Action.EDIT_RECORDS

    def get(self, request):
        response = HttpResponse(template_workbook(request.user), content_type=XLSX)
        response["Content-Disposition"] = attachment_header("导入模板.xlsx", fallback="import-template")
        return response


class TownRecognitionMixin:
    model = TownRecognition

    def get_queryset(self):
        return super().get_queryset().select_related("unit__parent")


class TownRecognitionListView(TownRecognitionMixin, ScopedListView):
    filterset_class = TownRecognitionFilterSet
    template_name = "communities/town_recognition_list.html"


class TownRecognitionFormMixin(TownRecognitionMixin):
    form_class = TownRecognitionForm
    template_name = "communities/town_recognition_form.html"
    success_url = reverse_lazy("town-recognition-list")


class TownRecognitionCreateView(TownRecognitionFormMixin, ScopedCreateView):
    success_message = "认定记录已保存。"


class TownRecognitionUpdateView(TownRecognitionFormMixin, ScopedUpdateView):
    success_message = "认定记录已更新。"


class TownRecognitionDeleteView(TownRecognitionMixin, ScopedDeleteView):
    template_name = "communities/town_recognition_confirm_delete.html"
    success_url = reverse_lazy("town-recognition-list")


class TownRecognitionHistoryView(TownRecognitionMixin, ScopedDetailView):
    template_name = "records/history.html"

    def get_context_data(self, **kwargs):
        rows = self.object.history.select_related("history_user").order_by("-history_date")
        return super().get_context_data(
            entries=describe(
                rows,
                "",
                "“六个好”认定",
                reveal_personal=privacy.sees_personal_data(self.request.user, self.object),
            ),
            subject=self.object,
            **kwargs,
        )


class TownRecognitionFileView(TownRecognitionMixin, ScopedObjectMixin, generic.View):
    def get(self, request, pk):
        recognition = get_object_or_404(self.get_queryset(), pk=pk)
        self.check_action(recognition)
        if not recognition.evidence:
            raise Http404
        return attachment(recognition.evidence)
