import hashlib
import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.crypto import salted_hmac

from . import changes
from .privacy import mask_phone
from .roles import PARENT_TIER, ROLE_TIER, Role, Tier, role_may
from .scope import ScopedQuerySet
from .validators import NAME_VALIDATORS, validate_phone


class Tenant(models.Model):
    """A city (or league, 盟): its own tree of units, users and standard editions."""

    name = models.CharField("名称", max_length=60, unique=True, validators=NAME_VALIDATORS)
    code = models.SlugField("代码", max_length=30, unique=True, help_text="英文字母、数字或连字符")
    is_active = models.BooleanField("启用", default=True)
    # The city's own choices in the designation programme (set by its city office).
    designation_valid_years = models.PositiveSmallIntegerField(
        "称号有效期(年)",
        default=3,
        validators=[
            MinValueValidator(1, message="有效期至少1年。"),
            MaxValueValidator(10, message="有效期不超过10年。"),
        ],
    )
    model_district_share = models.DecimalField(
        "示范区:示范社区占比不低于(%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[
            MinValueValidator(Decimal("0"), message="比例须在0至100之间。"),
            MaxValueValidator(Decimal("100"), message="比例须在0至100之间。"),
        ],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "租户(市/盟)"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def root(self):
        return self.units.filter(parent__isnull=True).first()


class UnitQuerySet(ScopedQuerySet):
    unit_field = ""

    def visible_to(self, user):
        # units/ also shows the ancestors of the caller's unit, so that `parent` always resolves.
        qs = super().visible_to(user)
        if getattr(user, "is_authenticated", False) and user.is_active and user.unit_id:
            qs = qs | self.filter(pk__in=user.unit.ancestor_ids)
        return qs

    def towns(self):
        return self.filter(tier=Tier.TOWN)


class Unit(models.Model):
    """An administrative unit: city → district → town. `path` is the chain of ids, e.g. "1/4/17/",
    so that everything under a unit is one indexed `path LIKE 'x%'` filter."""

    Tier = Tier

    class Zone(models.TextChoices):
        CENTRAL = "central", "中心城区"
        OUTER = "outer", "外围区县"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="units", verbose_name="租户")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级单位",
    )
    name = models.CharField("名称", max_length=60, validators=NAME_VALIDATORS)
    code = models.CharField("区划代码", max_length=12, blank=True)
    tier = models.CharField("层级", max_length=10, choices=Tier.choices)
    zone = models.CharField("区域", max_length=10, choices=Zone.choices, blank=True)
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "行政单位"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_unique_name_under_parent"),
            models.UniqueConstraint(
                fields=["tenant"], condition=models.Q(parent__isnull=True), name="unit_one_root_per_tenant"
            ),
        ]

    def __str__(self):
        return self.name

    @transaction.atomic
    def save(self, *args, **kwargs):
        old_path = self.path
        super().save(*args, **kwargs)
        new_path = f"{self.parent.path if self.parent_id else ''}{self.pk}/"
        if new_path != old_path:
            Unit.objects.filter(pk=self.pk).update(path=new_path)
            if old_path:  # moved: rewrite the descendants' paths in one statement
                Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(models.Value(new_path), Substr("path", len(old_path) + 1))
                )
            self.path = new_path
        changes.units_changed()  # renamed or moved: every figure ends

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        changes.units_changed()
        return deleted

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]

    def is_within(self, other: "Unit") -> bool:
        return self.tenant_id == other.tenant_id and self.path.startswith(other.path)

    def clean(self):
        expected_parent_tier = PARENT_TIER.get(self.tier)
        if self.parent is None and expected_parent_tier is not None:
            raise ValidationError({"parent": "区县须属于市,乡镇(街道)须属于区县。"})
        if self.parent is not None:
            if self.parent.tier != expected_parent_tier:
                raise ValidationError(
                    {"parent": f"{self.get_tier_display()}的上级须为{Tier(expected_parent_tier).label}。"}
                )
            if self.parent.tenant_id != self.tenant_id:
                raise ValidationError({"parent": "上级单位须属于同一租户。"})
            if self.pk and self.parent.path.startswith(self.path):
                raise ValidationError({"parent": "不能移到自身的下级单位之下。"})
        if self.tier == Tier.DISTRICT and not self.zone:
            raise ValidationError({"zone": "区县须注明属于中心城区还是外围区县。"})
        if self.tier != Tier.DISTRICT and self.zone:
            raise ValidationError({"zone": "只有区县设置区域。"})


class UserQuerySet(ScopedQuerySet):
    def set_active(self, active: bool) -> int:
        """Enable or disable these users in one UPDATE (which skips `User.save`); the disabled lose
        their API tokens as `save` would take them."""
        changed = self.update(is_active=active)
        if not active:
            ApiToken.objects.filter(user__in=self.values("pk")).delete()
        return changed


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A portal user: one role at one unit of one tenant. Platform superusers have no tenant."""

    Role = Role

    full_name = models.CharField("姓名", max_length=40, blank=True, validators=NAME_VALIDATORS)
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_phone])
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, null=True, blank=True, verbose_name="租户")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name="所在单位"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    # Raised by "sign out everywhere": every session signed with the earlier value ends.
    session_epoch = models.PositiveIntegerField("会话代次", default=0, editable=False)

    objects = PortalUserManager()
    personal_fields = {"phone": mask_phone}  # see core.privacy

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        ordering = ["username"]
        indexes = [models.Index(fields=["tenant", "role"])]

    def __str__(self):
        return self.full_name or self.username

    def can(self, action: str) -> bool:
        return self.is_active and role_may(self.role, action)

    def save(self, *args, **kwargs):
        # `set_password` leaves the new raw password in `_password` until the save: a changed or reset
        # password (own, by the city officer, in the admin) ends the user's API tokens, as it ends their
        # sessions (whose hash follows the password). A disabled user keeps no token either.
        password_changed = self._password is not None
        super().save(*args, **kwargs)
        if password_changed or not self.is_active:
            self.api_tokens.all().delete()

    def _get_session_auth_hash(self, secret=None):
        """Django's hash of the password, which every session carries; from the first "sign out
        everywhere" on it covers `session_epoch` too (epoch 0 keeps Django's own value, so the
        sessions alive before this rule was added stay valid)."""
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        salt = "core.models.User.get_session_auth_hash"
        return salted_hmac(
            salt, f"{self.password}:{self.session_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()

    def sign_out_everywhere(self):
        """End every session (the caller's own too) and every API token of this user."""
        with transaction.atomic():
            User.objects.filter(pk=self.pk).update(session_epoch=models.F("session_epoch") + 1)
            self.refresh_from_db(fields=["session_epoch"])
            self.api_tokens.all().delete()

    @property
    def tier(self) -> str | None:
        return self.unit.tier if self.unit_id else None

    def clean(self):
        super().clean()
        if self.is_superuser:
            return
        if not (self.tenant_id and self.unit_id and self.role):
            raise ValidationError("用户须属于一个租户,并在一个单位担任一个角色。")
        if self.unit.tenant_id != self.tenant_id:
            raise ValidationError({"unit": "单位须属于用户所在的租户。"})
        required_tier = ROLE_TIER.get(self.role)
        if required_tier and self.unit.tier != required_tier:
            raise ValidationError(
                {"unit": f"“{Role(self.role).label}”须设在{Tier(required_tier).label}一级的单位。"}
            )


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def for_user(self, user):
        """The user's own tokens, nobody else's (like the inbox: personal, not scoped by unit)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user_id=user.pk)


class ApiToken(models.Model):
    """A key for `Authorization: Token <key>`, issued by `POST /api/v1/auth/token/`.

    Only the key's SHA-256 is stored, so a copy of the database lets nobody call the API; the key is
    shown once, to whoever asked for it. A token ends at `expires_at` (API_TOKEN_TTL_DAYS after it was
    issued), when its owner revokes it, changes or is given a new password, is disabled, or signs out
    everywhere.
    """

    # Writing `last_used_at` on every call would turn each read into a write; once a minute is enough
    # to tell a token in use from a forgotten one.
    TOUCH_EVERY = timedelta(minutes=1)

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="用户")
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField("令牌开头", max_length=8, editable=False)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True, editable=False)
    expires_at = models.DateTimeField("到期时间", editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.prefix}…"

    @classmethod
    def issue(cls, user) -> tuple["ApiToken", str]:
        """A new token for `user` and its key (returned only here). The user's expired tokens go."""
        key = secrets.token_hex(20)
        now = timezone.now()
        token = cls.objects.create(
            user=user,
            key_digest=token_digest(key),
            prefix=key[:8],
            created_at=now,
            expires_at=now + timedelta(days=settings.API_TOKEN_TTL_DAYS),
        )
        cls.objects.filter(user=user, expires_at__lte=now).delete()
        return token, key

    @classmethod
    def find(cls, key: str) -> "ApiToken | None":
        return cls.objects.select_related("user", "user__unit").filter(key_digest=token_digest(key)).first()

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def touch(self):
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at >= self.TOUCH_EVERY:
            self.last_used_at = now
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)


class JobQuerySet(ScopedQuerySet):
    unit_field = "owner__unit"

    def visible_to(self, user):
        # A job is seen by its creator and by the tiers above the creator, not by colleagues.
        visible = super().visible_to(user)
        if not getattr(user, "is_authenticated", False) or user.is_superuser:
            return visible
        return visible.filter(models.Q(owner=user) | ~models.Q(owner__unit_id=user.unit_id))


class Job(models.Model):
    """A background job the browser and API poll: created in the request, run by Celery."""

    class Kind(models.TextChoices):
        EXPORT = "export", "导出Excel"
        IMPORT = "import", "导入Excel"
        SELF_CHECK = "self_check", "运行年度自查"

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="jobs", verbose_name="发起人")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    params = models.JSONField("参数", default=dict, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    summary = models.JSONField("结果摘要", default=dict, blank=True)
    result = models.FileField("结果文件", upload_to="jobs/%Y/%m/", blank=True)
    worker = models.CharField("执行节点", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "后台任务"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    def mark_running(self, total: int, worker: str):
        self._set(state=self.State.RUNNING, total=total, done=0, worker=worker, started_at=timezone.now())

    def advance(self, done: int, total: int | None = None):
        self._set(done=done, **({"total": total} if total is not None else {}))

    def mark_done(self, summary: dict | None = None):
        self._set(
            state=self.State.DONE,
            done=self.total,
            finished_at=timezone.now(),
            summary=summary or self.summary,
        )

    def mark_failed(self, message: str, details: list[str] = (), summary: dict | None = None):
        self._set(
            state=self.State.FAILED,
            errors=[*self.errors, message, *details],
            finished_at=timezone.now(),
            summary=summary or self.summary,
        )

    def _set(self, **fields):
        # Progress is written with UPDATE so pollers see it while the task is still running.
        for name, value in fields.items():
            setattr(self, name, value)
        Job.objects.filter(pk=self.pk).update(**fields)


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The user's own notifications, and nobody else's: the inbox is personal, not scoped by unit."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(recipient_id=user.pk)

    def unread(self):
        return self.filter(read_at__isnull=True)


def validate_relative_link(value: str) -> None:
    """A notification links inside the portal only: a path such as "/self-checks/7/"."""
    if value and (not value.startswith("/") or value.startswith(("//", "/\\"))):
        raise ValidationError("链接须为本平台内的相对地址,如 /self-checks/1/。")


class Notification(models.Model):
    """One message in a user's in-app inbox (also e-mailed when the user has an address)."""

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name="接收人"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True, validators=[validate_relative_link])
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ExportLogQuerySet(ScopedQuerySet):
    # Placed at the unit the exporter held when exporting: a district reads its own staff's and its
    # towns' exports, the city all of its tenant's.
    unit_field = "unit"


class ExportLog(models.Model):
    """Who exported what, when: one row per export file written.

    Written by the export machinery itself (`core.exports.write_workbook`), which every export takes
    (list pages, `<list>/export/` in the API, the designation register), so no entry point can skip
    it. A refused export (bad filter, role) and a job that failed wrote no file, so they have no row;
    a failed job keeps its errors on the Job. Nothing edits or deletes a row (the admin is read-only,
    and a user with exports on record can be disabled, not deleted).
    """

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="export_logs", verbose_name="导出人"
    )
    # The unit and role held at the time of the export (a user may move on later).
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="所在单位"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    job = models.OneToOneField(
        Job,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="export_log",
        verbose_name="后台任务",
    )
    list_name = models.CharField("列表代码", max_length=40)
    title = models.CharField("导出内容", max_length=60)
    query = models.JSONField("筛选条件", default=dict, blank=True)
    rows = models.PositiveIntegerField("行数")
    personal_rows = models.PositiveIntegerField("含完整个人信息的行数", default=0)
    created_at = models.DateTimeField("导出时间", auto_now_add=True, db_index=True)

    objects = ExportLogQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "导出日志"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.user} 导出{self.title}({self.rows}行)"

    @classmethod
    def record_direct(cls, user, list_name: str, title: str, query: dict, rows: int) -> "ExportLog":
        """The row of a file made within the request, without a job (`exports.register_direct`)."""
        return cls.objects.create(
            user=user,
            unit_id=user.unit_id,
            role=user.role,
            list_name=list_name,
            title=title,
            query=query,
            rows=rows,
        )

    @classmethod
    def record(cls, job: Job, title: str, rows: int, personal_rows: int) -> "ExportLog":
        """The row of `job`'s file; a job whose file is written again (a redelivered task) keeps one."""
        owner = job.owner
        log, _ = cls.objects.update_or_create(
            job=job,
            defaults={
                "user": owner,
                "unit_id": owner.unit_id,
                "role": owner.role,
                "list_name": job.params["list"],
                "title": title,
                "query": job.params.get("query", {}),
                "rows": rows,
                "personal_rows": personal_rows,
            },
        )
        return log
