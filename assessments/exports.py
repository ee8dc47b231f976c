"""The unit's self-check table as Excel, with each community's gap list, and the workflow's events."""

from django.utils import timezone

from core import exports

from .filtersets import SelfCheckEventFilterSet, SelfCheckFilterSet
from .models import SelfCheck, SelfCheckEvent


def _gaps(check: SelfCheck) -> str:
    """One line per gap, marked as the pages' badges mark it; each text ends with its points."""
    return "\n".join(
        " ".join(
            part
            for part in (
                gap["indicator"],
                "[一票否决]" if gap["veto"] else "",
                "[加分项]" if gap["bonus"] else "",
                "[待评审]" if gap["pending"] else "",
                gap["text"],
            )
            if part
        )
        for gap in check.gaps
    )


exports.register(
    exports.ExportSpec(
        name="self-checks",
        title="年度自查结果",
        model=SelfCheck,
        filterset=SelfCheckFilterSet,
        select_related=("community__unit__parent", "edition"),
        columns=[
            (exports.ID_HEADER, lambda s: s.pk),
            ("区县", lambda s: s.community.unit.parent.name),
            ("乡镇(街道)", lambda s: s.community.unit.name),
            ("社区", lambda s: s.community.name),
            ("类别", lambda s: s.community.get_kind_display()),
            ("年度", lambda s: s.year),
            ("标准", lambda s: str(s.edition)),
            ("状态", lambda s: s.get_status_display()),
            ("得分", lambda s: float(s.score)),
            ("达到等级", lambda s: s.level_display),
            ("预计等级", lambda s: s.proposed_level_display),
            ("未通过指标数", lambda s: sum(1 for r in s.results if r["passed"] is False)),
            ("待审核指标数", lambda s: sum(1 for r in s.results if r["passed"] is None)),
            ("距下一等级的差距", _gaps),
        ],
    )
)


exports.register(
    exports.ExportSpec(
        name="self-check-events",
        title="自查流程记录",
        model=SelfCheckEvent,
        filterset=SelfCheckEventFilterSet,
        select_related=("self_check__community__unit__parent", "actor"),
        columns=[
            ("时间", lambda e: timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S")),
            ("区县", lambda e: e.self_check.community.unit.parent.name),
            ("乡镇(街道)", lambda e: e.self_check.community.unit.name),
            ("社区", lambda e: e.self_check.community.name),
            ("年度", lambda e: e.self_check.year),
            ("步骤", lambda e: e.get_step_display()),
            ("指标", lambda e: e.details.get("indicator", "")),
            ("原状态", lambda e: e.get_from_status_display()),
            ("新状态", lambda e: e.get_to_status_display()),
            ("操作人", lambda e: str(e.actor)),
            ("意见", lambda e: e.comment),
        ],
    )
)
