"""Designations (称号): issuing them, revoking them, the 示范区 candidates, certificates and the
renewal reminders. Plain functions; views, the API and the review workflow call them.

- `issue` gives a community the title its accepted self-check earned (the workflow's `accept` calls
  it inside its own transaction and has already checked the step), or a district the title 示范区
  when enough of its communities hold 示范. Only the city's officer issues (403 otherwise).
- `revoke` withdraws a designation with a reason (400 without one, 409 when already revoked).
- `model_district_candidates` is the city's table for 示范区: per district, its communities, how
  many hold 示范 (or 精品, which is above it) and whether that share reaches the city's threshold.
- `certificate_pdf` renders the certificate with WeasyPrint; `send_renewal_reminders` is the daily
  beat job that warns the city and the district before a designation runs out.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone

from assessments.models import SelfCheck
from communities.models import Community
from core.exceptions import Conflict
from core.models import Tenant, Unit, User
from core.notifications import notify
from core.roles import Action, Role, Tier
from core.scope import may
from core.tasks import TRANSIENT

from .models import Designation

Title = Designation.Title

# Unambiguous (no 0/O, 1/I/L): read off paper and typed in by hand. 31 symbols × 12 ≈ 59 bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
# Titles that count as a 示范 community towards 示范区 (精品 is above 示范).
logger = logging.getLogger(__name__)

MODEL_TITLES = (Title.MODEL.value, Title.PREMIUM.value)
COMMUNITY_TITLES = tuple(value for value in Title.values if value != Title.MODEL_DISTRICT)

FORBIDDEN = "只有市社区办可以授予或撤销称号。"


# ---- codes and dates ------------------------------------------------------------------------------


def new_code() -> str:
    """A random verification code no designation has yet."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Designation.objects.filter(code=code).exists():
            return code


def normalize_code(raw: str) -> str:
    """What a person typed (lower case, spaces or hyphens between groups) as the stored code."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def add_years(day: date, years: int) -> date:
    """The same month and day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# ---- issue and revoke -----------------------------------------------------------------------------


def issue(
    *,
    title: str,
    year: int,
    user,
    self_check: SelfCheck | None = None,
    unit: Unit | None = None,
    valid_years: int | None = None,
) -> Designation:
    """Issue `title` for `year` to the self-check's community, or 示范区 to the district `unit`.

    Refusals: not the city's officer → PermissionDenied; bad input (a title that does not fit the
    holder, a district below the city's 示范 share, a bad year) → ValidationError keyed by field;
    the holder already holds it → Conflict. The review workflow is not checked here: `accept` did.
    """
    if (self_check is None) == (unit is None):
        raise ValueError("issue() needs either a self-check (community) or a unit (district).")
    if self_check is not None:
        community = Community.objects.select_related("unit__tenant").get(pk=self_check.community_id)
        holder, scope_unit, tenant = community, community.unit, community.unit.tenant
    else:
        community = None
        holder, scope_unit, tenant = unit, unit, unit.tenant
    if not may(user, Action.ACCEPT, holder):
        raise PermissionDenied(FORBIDDEN)

    errors: dict[str, list[str]] = {}
    if community is not None:
        allowed = list(self_check.edition.levels) if self_check.edition_id else list(COMMUNITY_TITLES)
        if title not in allowed:
            labels = "、".join(Title(code).label for code in allowed if code in Title.values)
            errors["title"] = [f"该社区可授予的称号为:{labels}。"]
        if year != self_check.year:
            errors["year"] = [f"称号年度须与自查年度({self_check.year}年)一致。"]
    else:
        if title != Title.MODEL_DISTRICT:
            errors["title"] = ["区县只能授予“示范区”称号。"]
        if unit.tier != Tier.DISTRICT:
            errors["unit"] = ["“示范区”称号只授予区县。"]
    years = tenant.designation_valid_years if valid_years is None else valid_years
    if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= 10:
        errors["valid_years"] = ["有效期须为1至10年。"]
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        if community is not None:
            _make_room_for(self_check)
        else:
            _lock_district(unit)
            standing = district_standing(unit, year)
            if not standing.reaches:
                raise ValidationError(
                    {
                        "unit": [
                            f"{unit.name}{year}年示范社区占比为{standing.share_display},"
                            f"低于本市规定的{_percent(tenant.model_district_share)},不能授予示范区称号。"
                        ]
                    }
                )
            if standing.designation is not None:
                raise Conflict(f"{unit.name}已是{year}年度示范区。")
        issued_on = timezone.localdate()
        designation = Designation(
            community=community,
            unit=None if community is not None else unit,
            scope_unit=scope_unit,
            self_check=self_check,
            year=year,
            title=title,
            issued_on=issued_on,
            valid_until=add_years(issued_on, years),
            issued_by=user,
            code=new_code(),
        )
        designation.full_clean(exclude=["issued_by", "scope_unit", "community", "unit", "self_check"])
        designation.save()
    return designation


def _make_room_for(self_check: SelfCheck) -> None:
    """One designation per self-check at a time. One revoked when the self-check was reopened stays
    on record (community, year, title, reason) but lets go of the self-check for the new one."""
    held = Designation.objects.select_for_update().filter(self_check=self_check).first()
    if held is None:
        return
    if not held.revoked:
        raise Conflict(f"该自查已授予“{held.get_title_display()}”称号。")
    held.self_check = None
    held.save(update_fields=["self_check"])


def _lock_district(unit: Unit) -> None:
    # Serialises two officers issuing 示范区 to the same district at once.
    Unit.objects.select_for_update().filter(pk=unit.pk).exists()


def revoke(designation: Designation, user, reason: str) -> Designation:
    """The city withdraws a designation: 403 for anyone else, 400 without a reason, 409 if already
    revoked. The certificate stays downloadable, stamped 已撤销; verification shows it revoked."""
    if not may(user, Action.ACCEPT, designation):
        raise PermissionDenied(FORBIDDEN)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationError({"reason": ["请填写撤销原因。"]})
    with transaction.atomic():
        locked = Designation.objects.select_for_update().get(pk=designation.pk)
        if locked.revoked:
            raise Conflict("该称号已被撤销,不能重复撤销。")
        locked.revoked = True
        locked.revoked_on = timezone.localdate()
        locked.revoked_reason = reason
        locked.save(update_fields=["revoked", "revoked_on", "revoked_reason"])
    designation.revoked, designation.revoked_on, designation.revoked_reason = (
        locked.revoked,
        locked.revoked_on,
        locked.revoked_reason,
    )
    return designation


def status_of(designation: Designation) -> tuple[str, str]:
    """(code, label) for pages and the verification: revoked wins over expired."""
    if designation.revoked:
        return "revoked", "已撤销"
    if designation.expired:
        return "expired", "已过期"
    return "valid", "有效"


# ---- 示范区 -----------------------------------------------------------------------------------------


@dataclass
class DistrictStanding:
    district: Unit
    communities: int
    model: int
    threshold: Decimal
    designation: Designation | None = None

    @property
    def share(self) -> Decimal | None:
        if not self.communities:
            return None
        return (Decimal(self.model) * 100 / self.communities).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def share_display(self) -> str:
        return "—" if self.share is None else _percent(self.share)

    @property
    def reaches(self) -> bool:
        # Exact arithmetic: a share exactly at the threshold passes, whatever the rounding shown.
        return bool(self.communities) and self.model * 100 >= self.threshold * self.communities

    def as_dict(self) -> dict:
        return {
            "district": self.district,
            "district_id": self.district.pk,
            "name": self.district.name,
            "communities": self.communities,
            "model": self.model,
            "share": self.share,
            "share_display": self.share_display,
            "threshold": self.threshold,
            "reaches": self.reaches,
            "designation": self.designation,
        }


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def _model_communities(year: int):
    """Designations that make a community count as 示范 in `year`: 示范 or 精品, not revoked, of that
    year, or of an earlier year and still valid (at the end of `year`, or today if that is sooner)."""
    reference = min(timezone.localdate(), date(year, 12, 31))
    return Designation.objects.filter(
        Q(year=year) | Q(year__lt=year, valid_until__gte=reference),
        community__isnull=False,
        title__in=MODEL_TITLES,
        revoked=False,
    )


def _standings(tenant: Tenant, year: int, districts) -> list[DistrictStanding]:
    districts = list(districts)
    ids = [district.pk for district in districts]
    totals = dict(
        Community.objects.filter(unit__parent_id__in=ids)
        .values_list("unit__parent_id")
        .annotate(n=Count("pk"))
        .values_list("unit__parent_id", "n")
    )
    held = dict(
        _model_communities(year)
        .filter(community__unit__parent_id__in=ids)
        .values_list("community__unit__parent_id")
        .annotate(n=Count("community_id", distinct=True))
        .values_list("community__unit__parent_id", "n")
    )
    titles = {
        designation.unit_id: designation
        for designation in Designation.objects.filter(
            unit_id__in=ids, title=Title.MODEL_DISTRICT, year=year, revoked=False
        )
    }
    return [
        DistrictStanding(
            district=district,
            communities=totals.get(district.pk, 0),
            model=held.get(district.pk, 0),
            threshold=tenant.model_district_share,
            designation=titles.get(district.pk),
        )
        for district in districts
    ]


def district_standing(district: Unit, year: int) -> DistrictStanding:
    return _standings(district.tenant, year, [district])[0]


def model_district_candidates(tenant_id: int, year: int) -> list[dict]:
    """Per district of the city: its communities, how many hold 示范 (or 精品) for `year` or still
    validly, the share, whether it reaches the city's `model_district_share`, and the 示范区 title
    the district already holds for that year (or None)."""
    tenant = Tenant.objects.get(pk=tenant_id)
    districts = Unit.objects.filter(tenant_id=tenant_id, tier=Tier.DISTRICT).order_by("path")
    return [standing.as_dict() for standing in _standings(tenant, year, districts)]


# ---- certificate ----------------------------------------------------------------------------------


def certificate_context(designation: Designation, verify_url: str) -> dict:
    community = designation.community
    if community is not None:
        town, district = community.unit, community.unit.parent
        holder = community.name
    else:
        town, district = None, designation.unit
        holder = designation.unit.name
    status, status_label = status_of(designation)
    return {
        "designation": designation,
        "holder": holder,
        "town": town,
        "district": district,
        "city": district.parent if district else None,
        "title_label": designation.get_title_display(),
        "code": designation.code,
        "code_display": designation.code_display,
        "verify_url": verify_url,
        "verify_qr": verify_qr(verify_url),
        "noun": community.noun if community is not None else "",
        "status": status,
        "status_label": status_label,
    }


def verify_qr(url: str) -> str:
    """A QR code of `url` as an SVG data URI, for the certificate: a phone's camera opens the public
    check. Medium error correction survives a worn or folded print."""
    import segno  # imported on use, like WeasyPrint: only certificates need it

    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def certificate_pdf(designation: Designation, verify_url: str) -> bytes:
    """The certificate as PDF. The CSS names "Noto Sans CJK SC" (Debian's fonts-noto-cjk)."""
    from weasyprint import HTML  # imported on use: it loads Pango, which pages without PDFs never need

    html = render_to_string("designations/certificate.html", certificate_context(designation, verify_url))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


# ---- renewal reminders ----------------------------------------------------------------------------


def renewal_days() -> int:
    return int(getattr(settings, "DESIGNATION_RENEWAL_DAYS", 90))


def _emails(users) -> list[str]:
    return sorted(set(users.filter(is_active=True).exclude(email="").values_list("email", flat=True)))


def send_renewal_reminders(today: date | None = None) -> int:
    """E-mail the city officers (one list per city) and each district's reviewers (their district's
    designations) about designations running out within `DESIGNATION_RENEWAL_DAYS` days. Each
    designation is reminded once: `renewal_reminded_on` records it. Returns the e-mails sent."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=renewal_days())
    sent = 0
    tenants = Tenant.objects.filter(
        pk__in=Designation.objects.filter(
            revoked=False, renewal_reminded_on__isnull=True, valid_until__gte=today, valid_until__lte=horizon
        ).values("scope_unit__tenant_id")
    )
    for tenant in tenants:
        # One city's failure is logged and never stops the others' reminders (its transaction rolls back,
        # so its designations are reminded on a later day); a transient database error ends the task.
        try:
            sent += _remind_renewals(tenant, today, horizon)
        except TRANSIENT:
            raise
        except Exception:
            logger.exception("renewal reminders of tenant %s (%s) failed", tenant.pk, tenant)
    return sent


def _remind_renewals(tenant: Tenant, today: date, horizon: date) -> int:
    """One city's renewal reminders, in one transaction; returns the e-mails sent."""
    sent = 0
    with transaction.atomic():
        due = list(
            Designation.objects.select_for_update(of=("self",))
            .filter(
                scope_unit__tenant=tenant,
                revoked=False,
                renewal_reminded_on__isnull=True,
                valid_until__gte=today,
                valid_until__lte=horizon,
            )
            .select_related("community__unit__parent", "unit")
            .order_by("valid_until", "pk")
        )
        if not due:
            return 0
        reminded: set[int] = set()
        _notify_renewal(User.objects.filter(tenant=tenant, role=Role.CITY_OFFICER), due)
        officers = _emails(User.objects.filter(tenant=tenant, role=Role.CITY_OFFICER))
        if officers:
            _send_renewal(due, officers, today)
            reminded.update(d.pk for d in due)
            sent += 1
        by_district: dict[int, list[Designation]] = {}
        for designation in due:
            district_id = designation.unit_id or designation.community.unit.parent_id
            by_district.setdefault(district_id, []).append(designation)
        for district_id, designations in by_district.items():
            _notify_renewal(
                User.objects.filter(unit_id=district_id, role=Role.DISTRICT_REVIEWER), designations
            )
            reviewers = _emails(User.objects.filter(unit_id=district_id, role=Role.DISTRICT_REVIEWER))
            if reviewers:
                _send_renewal(designations, reviewers, today)
                reminded.update(d.pk for d in designations)
                sent += 1
        # Nobody to tell (no e-mail address yet): left for a later day rather than marked.
        Designation.objects.filter(pk__in=reminded).update(renewal_reminded_on=today)
    return sent


def _notify_renewal(users, designations: list[Designation]) -> None:
    """The same news in the inbox (the e-mails are sent by the caller, one list per recipient group)."""
    notify(
        users,
        title=f"{len(designations)}项称号即将到期,请安排复核或续期",
        body="\n".join(_holder_line(designation) for designation in designations),
        link="/designations/",
        email=False,
    )


def _holder_line(designation: Designation) -> str:
    if designation.community_id:
        community = designation.community
        where = f"{community.unit.parent.name}{community.unit.name}"
        holder = f"{where} {community.name}"
    else:
        holder = designation.unit.name
    return (
        f"- {holder}:{designation.year}年度“{designation.get_title_display()}”,"
        f"有效期至{designation.valid_until:%Y年%m月%d日}(核验码 {designation.code_display})"
    )


def _send_renewal(designations: list[Designation], recipients: list[str], today: date) -> None:
    lines = "\n".join(_holder_line(designation) for designation in designations)
    send_mail(
        subject=f"称号即将到期提醒:{len(designations)}项称号将在{renewal_days()}天内到期",
        message=(
            f"截至{today:%Y年%m月%d日},以下称号将在{renewal_days()}天内到期,"
            f"请及时组织复核或重新申报:\n{lines}\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )
