from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import AccessMixin, LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults, generic

from . import exports, privacy
from .exceptions import Conflict, JobsUnavailable, delete_or_refuse
from .fields import attachment_header, detect_type, served_type, typed_name
from .filtersets import ExportLogFilterSet, UserFilterSet
from .forms import BulkUserForm, PasswordChangeForm, UserForm
from .models import ApiToken, ExportLog, Job, Notification, User
from .roles import Action
from .scope import assert_within_scope, may


def attachment(stored_file, name: str | None = None, fallback: str = "download") -> FileResponse:
    """Stream a private file (export, evidence) as a download. Callers have already found the object
    it belongs to through the scope. The type is judged by the file's bytes, never by its name, so a
    file stored under a misleading extension is still served as what it is, and always as an
    attachment under a safe name (`name`, else the stored one; RFC 5987 for Chinese names, with an
    ASCII name starting with `fallback` for older clients) that carries the detected type's extension."""
    handle = stored_file.open("rb")
    kind = detect_type(handle)
    response = FileResponse(handle, content_type=served_type(kind))
    response["Content-Disposition"] = attachment_header(typed_name(name or stored_file.name, kind), fallback)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def refused(request, exc: Conflict, back: str | None = None):
    """The one page of a refused step (409: out of order, or still needed by other records): the
    reason, and the way back to where the step was taken."""
    return render(request, "409.html", {"message": exc.messages[0], "back": back}, status=409)


class ConflictMixin:
    """A Conflict raised while the page handles its request is answered by `refused`, with the way
    back that `conflict_back()` names."""

    def conflict_back(self) -> str | None:
        return None

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except Conflict as exc:
            return refused(request, exc, self.conflict_back())


class ScopedViewMixin(AccessMixin):
    """Base of every portal view: login, then scope (404), then role (403).

    Querysets come from `Model.objects.visible_to(user)` only. Views on one object check the role
    after the object was found, so an id outside the caller's scope is a 404 whatever the role.
    """

    model = None
    required_action = Action.READ
    object_view = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.object_view:
            self.check_action()
        return super().dispatch(request, *args, **kwargs)

    def check_action(self, obj=None):
        if not may(self.request.user, self.required_action, obj):
            raise PermissionDenied

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)


class ScopedObjectMixin(ScopedViewMixin):
    object_view = True

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        self.check_action(obj)
        return obj


class ScopedListView(ScopedViewMixin, generic.ListView):
    filterset_class = None
    paginate_by = 25

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET, queryset=super().get_queryset(), request=self.request
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filterset.form
        for field in form.fields.values():
            if isinstance(field.widget, forms.NullBooleanSelect):
                # As a filter, "unknown" means "do not filter".
                field.widget.choices = [("unknown", "全部"), ("true", "是"), ("false", "否")]
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
        context["filter_form"] = form
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context


class DefaultYearMixin:
    """A list of one year: without `?year=` it redirects to this year's, so that the address, the
    filters and an export all name the year shown."""

    def get(self, request, *args, **kwargs):
        if "year" not in request.GET:
            query = request.GET.copy()
            query["year"] = timezone.localdate().year
            return redirect(f"{request.path}?{query.urlencode()}")
        return super().get(request, *args, **kwargs)


class ScopedDetailView(ScopedObjectMixin, generic.DetailView):
    pass


class ScopedFormMixin:
    """Writes: the form gets the user (scoped choices); the save and a re-check of the saved object
    against the role scope share one transaction, so nothing out of scope is ever committed."""

    required_action = Action.EDIT_RECORDS
    success_message = "已保存。"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        with transaction.atomic():
            self.object = form.save()
            assert_within_scope(self.request.user, self.object)
        messages.success(self.request, self.success_message)
        for warning in getattr(self.object, "warnings", []):
            messages.warning(self.request, warning)
        return redirect(self.get_success_url())


class ScopedCreateView(ScopedFormMixin, ScopedViewMixin, generic.CreateView):
    pass


class ScopedUpdateView(ScopedFormMixin, ScopedObjectMixin, generic.UpdateView):
    pass


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    required_action = Action.EDIT_RECORDS

    def form_valid(self, form):
        name = str(self.object)
        try:
            delete_or_refuse(self.object)
        except Conflict as exc:
            return refused(self.request, exc)
        messages.success(self.request, f"已删除“{name}”。")
        return redirect(self.get_success_url())


class JobListView(ScopedViewMixin, generic.ListView):
    """The caller's own background jobs (exports, imports, self-check runs), newest first: state,
    progress and the way to each one's result. Jobs of others stay out, those of lower tiers too."""

    model = Job
    template_name = "core/job_list.html"
    paginate_by = 25

    def get_queryset(self):
        return super().get_queryset().filter(owner=self.request.user)


class JobDetailView(ScopedDetailView):
    model = Job
    template_name = "core/job_detail.html"

    def get_template_names(self):
        if self.request.htmx:
            return ["core/_job_progress.html"]
        return [self.template_name]


class JobDownloadView(ScopedObjectMixin, generic.View):
    model = Job

    def get(self, request, pk):
        job = get_object_or_404(self.get_queryset(), pk=pk)
        self.check_action(job)
        if not privacy.may_receive_file(request.user, job):
            raise PermissionDenied
        if not job.result:
            raise Http404
        return job_result(job)


def job_result(job: Job) -> FileResponse:
    """A job's file under the name it was made with (the page's and the API's download alike)."""
    return attachment(job.result, name=job.params.get("filename"), fallback=job.params.get("list", "export"))


class ExportView(ScopedViewMixin, generic.View):
    """POST from any list page: start the export of that list with its current filters."""

    def post(self, request, name):
        if not exports.exportable(name):
            raise Http404
        back = request.META.get("HTTP_REFERER") or "dashboard"
        try:
            job, errors = exports.start_export(request.user, name, request.POST.dict())
        except JobsUnavailable as exc:
            messages.error(request, exc.message)
            return redirect(back)
        if errors:
            messages.error(request, "筛选条件有误,未能导出。")
            return redirect(back)
        return redirect("job-detail", pk=job.pk)


class ExportLogListView(ScopedListView):
    """Who exported what, when: read-only, in the caller's scope (a district its own staff's and its
    towns', the city all of its tenant's)."""

    model = ExportLog
    required_action = Action.AUDIT_EXPORTS
    filterset_class = ExportLogFilterSet
    template_name = "core/export_log.html"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("user", "unit")


class UserAdminMixin:
    model = User
    required_action = Action.MANAGE_USERS

    def check_action(self, obj=None):
        if not self.request.user.tenant_id:  # platform superusers manage accounts in the Django admin
            raise PermissionDenied
        super().check_action(obj)


class UserListView(UserAdminMixin, ScopedListView):
    filterset_class = UserFilterSet
    template_name = "core/user_list.html"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("unit")


class UserCreateView(UserAdminMixin, ScopedCreateView):
    form_class = UserForm
    template_name = "core/user_form.html"
    success_message = "用户已创建。"

    def get_success_url(self):
        return reverse("user-list")


class UserUpdateView(UserAdminMixin, ScopedUpdateView):
    form_class = UserForm
    template_name = "core/user_form.html"
    success_message = "用户已更新。"

    def get_success_url(self):
        return reverse("user-list")


class UserBulkView(UserAdminMixin, ScopedViewMixin, generic.View):
    def post(self, request):
        form = BulkUserForm(request.POST, user=request.user)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, errors[0])
            return redirect("user-list")
        active = form.cleaned_data["action"] == "enable"
        changed = form.cleaned_data["users"].set_active(active)  # already limited to the scope
        messages.success(request, f"已{'启用' if active else '停用'} {changed} 个用户。")
        return redirect(request.META.get("HTTP_REFERER") or "user-list")


def handler404(request, exception=None):
    return render(request, "404.html", status=404)


def handler403(request, exception=None):
    return render(request, "403.html", status=403)


def handler500(request):
    """An API caller gets JSON (see `core.api.middleware`); a page, Django's plain error page."""
    from core.api.middleware import is_api, server_error

    return server_error() if is_api(request) else defaults.server_error(request)


class InboxView(LoginRequiredMixin, generic.ListView):
    """The user's own notifications, newest first."""

    template_name = "core/inbox.html"
    context_object_name = "notifications"
    paginate_by = 30

    def get_queryset(self):
        return Notification.objects.for_user(self.request.user)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "query_string": ""}


class NotificationReadView(LoginRequiredMixin, generic.View):
    """POST: mark one of the user's notifications read (another user's id is a 404), then go to
    `next` when it is a path inside the portal, else back to the inbox."""

    def post(self, request, pk):
        notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(target)
        return redirect("inbox")


class NotificationReadAllView(LoginRequiredMixin, generic.View):
    def post(self, request):
        changed = Notification.objects.for_user(request.user).unread().update(read_at=timezone.now())
        if changed:
            messages.success(request, f"已将 {changed} 条消息标为已读。")
        return redirect("inbox")


class AccountView(LoginRequiredMixin, generic.TemplateView):
    """The user's own account: their API tokens (to revoke), a password change, sign out everywhere."""

    template_name = "core/account.html"

    def get_context_data(self, **kwargs):
        tokens = ApiToken.objects.for_user(self.request.user)
        return {
            **super().get_context_data(**kwargs),
            "tokens": tokens,
            "now": timezone.now(),
            "ttl_days": settings.API_TOKEN_TTL_DAYS,
        }


class ApiTokenRevokeView(LoginRequiredMixin, generic.View):
    """POST: revoke one of the user's own tokens (another user's id is a 404)."""

    def post(self, request, pk):
        token = get_object_or_404(ApiToken.objects.for_user(request.user), pk=pk)
        token.delete()
        messages.success(request, f"令牌 {token} 已撤销。")
        return redirect("account")


class SignOutEverywhereView(LoginRequiredMixin, generic.View):
    """POST: end all the user's sessions (this one too) and API tokens."""

    def post(self, request):
        request.user.sign_out_everywhere()
        logout(request)
        messages.success(request, "已在所有设备上退出,所有 API 令牌均已失效。请重新登录。")
        return redirect("login")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's own form; the save ends the user's other sessions and every API token (`User.save`)."""

    template_name = "core/password_change.html"
    form_class = PasswordChangeForm

    def get_success_url(self):
        return reverse("account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "密码已修改。其他设备上的登录和所有 API 令牌均已失效。")
        return response
