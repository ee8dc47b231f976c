"""What Celery beat starts on its own: the annual self-check run and the U-FILE deadline reminders.

The filing deadline is not a setting of ours but the city's edition's: U-FILE's `deadline_month` and
`deadline_day` (default 30 November; the document's "11月31日" does not exist), so a city that moves
it in its edition moves the reminders too.
"""

import logging
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from communities.models import Community
from core.models import Tenant, Unit, User
from core.notifications import notify
from core.roles import Role, Tier
from core.tasks import TRANSIENT
from standards.models import Indicator, StandardEdition

from .runs import start_run

FILING_CODE = "U-FILE"
DEFAULT_DEADLINE = (11, 30)

logger = logging.getLogger(__name__)


def start_annual_runs(year: int | None = None) -> list:
    """One run per city over the whole city, on behalf of its first active city officer."""
    year = year or timezone.localdate().year
    jobs = []
    for city in Unit.objects.filter(tier=Tier.CITY).select_related("tenant"):
        officer = (
            User.objects.filter(tenant_id=city.tenant_id, unit=city, role=Role.CITY_OFFICER, is_active=True)
            .order_by("pk")
            .first()
        )
        if officer is None:
            continue
        # One city's failure is logged and never stops the others' runs (a transient database error
        # still ends the task, which Celery retries).
        try:
            jobs.append(start_run(officer, year, city))
        except TRANSIENT:
            raise
        except Exception:
            logger.exception(
                "annual self-check run of city %s (tenant %s) could not start", city.pk, city.tenant_id
            )
    return jobs


def filing_deadline(tenant_id: int, year: int) -> date | None:
    """U-FILE's deadline in the city's current urban edition; None if the edition has no U-FILE."""
    edition = StandardEdition.objects.current_for(tenant_id, Community.Kind.URBAN)
    indicator = Indicator.objects.filter(edition=edition, code=FILING_CODE).first() if edition else None
    if indicator is None:
        return None
    params = indicator.params or {}
    month = params.get("deadline_month", DEFAULT_DEADLINE[0])
    day = params.get("deadline_day", DEFAULT_DEADLINE[1])
    return date(year, month, day)


def unfiled_new_communities(communities, deadline: date):
    """The communities of `communities` due for filing by `deadline` and not filed: established since
    the deadline before (a December approval files next year)."""
    return communities.filter(
        established_on__gt=deadline.replace(year=deadline.year - 1),
        established_on__lte=deadline,
        filed_on__isnull=True,
    ).order_by("unit__path", "name")


def send_filing_reminders(today: date | None = None) -> int:
    """Tell each district's reviewers the new communities of the year not yet filed with the city, on
    the days `FILING_REMINDER_DAYS` before the deadline: in their inbox, and in one e-mail to those
    with an address. Returns the number of e-mails sent."""
    today = today or timezone.localdate()
    sent = 0
    for tenant in Tenant.objects.all():
        # One city's failure (an edition holding an impossible deadline, saved before deadlines were
        # validated) is logged and never stops the other cities' reminders; a transient database
        # error still ends the task, which Celery retries.
        try:
            sent += _remind_tenant(tenant, today)
        except TRANSIENT:
            raise
        except Exception:
            logger.exception("filing reminders of tenant %s (%s) failed", tenant.pk, tenant)
    return sent


def _remind_tenant(tenant: Tenant, today: date) -> int:
    """One city's filing reminders for `today`; returns the e-mails sent."""
    sent = 0
    deadline = filing_deadline(tenant.pk, today.year)
    if deadline is None or (deadline - today).days not in settings.FILING_REMINDER_DAYS:
        return 0
    unfiled = unfiled_new_communities(Community.objects.filter(unit__tenant=tenant), deadline).select_related(
        "unit__parent"
    )
    by_district: dict[int, list] = {}
    for community in unfiled:
        by_district.setdefault(community.unit.parent_id, []).append(community)
    for district_id, communities in by_district.items():
        reviewers = list(
            User.objects.filter(unit_id=district_id, role=Role.DISTRICT_REVIEWER, is_active=True)
        )
        if not reviewers:
            continue
        names = "\n".join(f"- {c.unit.name} {c.name}(成立于{c.established_on})" for c in communities)
        subject = f"新成立社区报市备案截止日期:{deadline:%Y年%m月%d日}"
        message = (
            f"以下{len(communities)}个今年新成立的社区尚未登记报市备案日期(标准 U-FILE),"
            f"请在{deadline:%m月%d日}前完成备案并在平台登记:\n{names}\n"
        )
        # In-app for every reviewer of the district; the one e-mail below goes to those with an address.
        notify(
            reviewers,
            subject,
            message,
            link=f"{reverse('community-list')}?unit={district_id}",
            email=False,
        )
        recipients = [reviewer.email for reviewer in reviewers if reviewer.email]
        if not recipients:
            continue
        send_mail(subject=subject, message=message, from_email=None, recipient_list=recipients)
        sent += 1
    return sent
