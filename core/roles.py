"""Roles and what each may do: docs/api.md's roles table, as data.

Scope (which objects) is the unit subtree and is applied by `visible_to`; this module only says
which actions a role may take at all.
"""

from django.db import models


class Tier(models.TextChoices):
    CITY = "city", "市(盟)"
    DISTRICT = "district", "区(县、旗)"
    TOWN = "town", "镇(乡、街道、苏木)"


# A tier's parent tier in the administrative tree.
PARENT_TIER = {Tier.CITY: None, Tier.DISTRICT: Tier.CITY, Tier.TOWN: Tier.DISTRICT}


class Role(models.TextChoices):
    TOWN_CLERK = "town_clerk", "乡镇(街道)工作人员"
    DISTRICT_REVIEWER = "district_reviewer", "区县民政局审核员"
    CITY_OFFICER = "city_officer", "市社区办管理员"
    API_READER = "api_reader", "只读数据用户"


class Action(models.TextChoices):
    READ = "read", "查看"
    EDIT_RECORDS = "edit_records", "维护社区及其记录"
    RUN_SELF_CHECKS = "run_self_checks", "运行自查"
    ENROL = "enrol", "确定创建活动名单"
    SUBMIT = "submit", "提交自查"
    REVIEW = "review", "区县审核"
    ACCEPT = "accept", "市级验收"
    REOPEN_DISTRICT_APPROVED = "reopen_district_approved", "撤回区县审核"
    REOPEN_DECIDED = "reopen_decided", "撤回市级验收"
    MANAGE_STANDARDS = "manage_standards", "维护标准"
    MANAGE_USERS = "manage_users", "管理用户"
    SEE_PERSONAL_DATA = "see_personal_data", "查看个人信息"
    # The export log (core.ExportLog): for the offices that answer for their staff's handling of
    # personal data, the district over its towns and the city over all.
    AUDIT_EXPORTS = "audit_exports", "查看导出日志"


ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.TOWN_CLERK: frozenset(
        {Action.READ, Action.EDIT_RECORDS, Action.RUN_SELF_CHECKS, Action.SUBMIT, Action.SEE_PERSONAL_DATA}
    ),
    Role.DISTRICT_REVIEWER: frozenset(
        {
            Action.READ,
            Action.RUN_SELF_CHECKS,
            Action.ENROL,
            Action.REVIEW,
            Action.REOPEN_DISTRICT_APPROVED,
            Action.SEE_PERSONAL_DATA,
            Action.AUDIT_EXPORTS,
        }
    ),
    Role.CITY_OFFICER: frozenset(
        {
            Action.READ,
            Action.RUN_SELF_CHECKS,
            Action.ENROL,
            Action.ACCEPT,
            Action.REOPEN_DISTRICT_APPROVED,
            Action.REOPEN_DECIDED,
            Action.MANAGE_STANDARDS,
            Action.MANAGE_USERS,
            Action.SEE_PERSONAL_DATA,
            Action.AUDIT_EXPORTS,
        }
    ),
    Role.API_READER: frozenset({Action.READ}),
}

# The tier a role is held at; None means any tier (a reader may be given any subtree).
ROLE_TIER: dict[str, str | None] = {
    Role.TOWN_CLERK: Tier.TOWN,
    Role.DISTRICT_REVIEWER: Tier.DISTRICT,
    Role.CITY_OFFICER: Tier.CITY,
    Role.API_READER: None,
}


def role_may(role: str, action: str) -> bool:
    return action in ROLE_ACTIONS.get(role, frozenset())
