"""Every unique rule declared with core.uniqueness ("one per community and year", "no two with one name",
...), found from the declarations themselves: a model that declares a rule is covered here as soon as
this module knows how to make one of its rows (record types through tests/records/cases.py).

For each rule: a duplicate is refused by full_clean() with the rule's Chinese message on its field and
nothing else; the same values in another community (town, edition, member) are accepted; a row saved
and checked again is not its own duplicate; a value left unset skips the rule; and the database
constraint the rule mirrors is still there and still refuses a duplicate that skips the check.
"""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from communities import records
from core.uniqueness import UniqueRule, UniqueRulesMixin
from demo.factories import CommunityFactory, PayBenchmarkFactory
from tests.records.cases import CASES

YEAR = 2024


def declaring_models() -> list[type]:
    found = [m for m in apps.get_models() if issubclass(m, UniqueRulesMixin) and m.unique_rules]
    return sorted(found, key=lambda model: model._meta.label)


RULES = [(model, rule) for model in declaring_models() for rule in model.unique_rules]
RULE_IDS = [f"{model._meta.label}:{'+'.join(rule.fields)}" for model, rule in RULES]


# ---- how to make one row of each declaring model in a given community ----------------------------
def _community(community):
    return CommunityFactory(unit=community.unit, name="同名测试社区")


def _town_recognition(community):
    from communities.models import TownRecognition

    return TownRecognition.objects.create(unit=community.unit, year=YEAR, recognised=False)


def _enrolment(community):
    from designations.models import Enrolment

    return Enrolment.objects.create(community=community, year=YEAR)


def _indicator(community):
    from standards.models import LEVELS_BY_KIND, Indicator, StandardEdition
    from standards.sheet import Method

    edition, _ = StandardEdition.objects.get_or_create(
        tenant=community.unit.tenant,
        code="T",
        version=1,
        defaults={"name": "测试标准", "applies_to": "urban", "levels": LEVELS_BY_KIND["urban"]},
    )
    return Indicator.objects.create(
        edition=edition,
        code="T-ORG",
        category="组织建设",
        requirement="设立社区党组织。",
        check_kind=Indicator.Check.EVIDENCE,
        method=Method.DOCUMENTS,
        level=edition.levels[0],
    )


def _pay_benchmark(community):
    return PayBenchmarkFactory(tenant=community.unit.tenant, year=YEAR)


MAKERS = {
    "communities.Community": _community,
    "communities.TownRecognition": _town_recognition,
    "designations.Enrolment": _enrolment,
    "standards.Indicator": _indicator,
    "funding.PayBenchmark": _pay_benchmark,
}

# The messages the hand-written checks gave before the rules were declared, for the rows made here.
LEGACY_MESSAGES = {
    "communities.Community": ("name", "该乡镇(街道)下已有同名社区。"),
    "communities.TownRecognition": ("year", "该乡镇(街道)本年度已有“六个好”认定记录。"),
    "communities.Organization": ("name", "本社区已登记同名组织。"),
    "communities.VolunteerRegistration": ("year", "该社区本年度的志愿者注册人数已登记。"),
    "communities.MemberVillage": ("name", "本社区已登记同名村。"),
    "communities.VillageRecognition": ("year", "该村本年度已有“五个好”认定记录。"),
    "facilities.EnvironmentCheck": ("year", "该社区2024年的环境检查已登记。"),
    "funding.WorkFund": ("year", "该社区2023年的社区工作经费已登记。"),
    "funding.OfficeFund": ("year", "该社区2023年的社区办公经费已登记。"),
    "funding.CadrePay": ("year", "{member.name}2023年的报酬已登记。"),
    "funding.PlaqueContribution": ("organization_name", "区税务局2023年的记录已登记。"),
    "personnel.SubCommittee": ("kind", "本社区已登记该下属委员会。"),
    "personnel.Appraisal": ("subject", "本社区该半年已登记此项评议或审计。"),
    "standards.Indicator": ("code", "本标准已有该指标代码。"),
    "designations.Enrolment": ("community", "该社区已列入2024年创建活动。"),
}


def maker(model):
    record_type = records.for_model(model)
    if record_type is not None and record_type.slug in CASES:
        return CASES[record_type.slug].make
    return MAKERS.get(model._meta.label)


def twin(obj):
    """An unsaved copy of a saved row: the same values, a new row to be."""
    copy = type(obj)._default_manager.get(pk=obj.pk)
    copy.pk = None
    copy._state.adding = True
    return copy


def messages(exc: ValidationError) -> list[str]:
    return [message for found in exc.message_dict.values() for message in found]


# ---- the declarations ----------------------------------------------------------------------------
def test_the_rules_are_found():
    labels = {model._meta.label for model in declaring_models()}
    assert set(LEGACY_MESSAGES) <= labels


@pytest.mark.parametrize("model", declaring_models(), ids=lambda model: model._meta.label)
def test_every_declaring_model_can_be_made_here(model):
    assert maker(model) is not None, (
        f"{model._meta.label} declares unique rules: give it a record case or an entry in MAKERS"
    )


@pytest.mark.parametrize("model", declaring_models(), ids=lambda model: model._meta.label)
def test_the_declarations_pass_the_system_checks(model):
    assert [e for e in model.check() if e.id.startswith("core.")] == []


def test_a_rule_without_its_constraint_or_with_an_unknown_field_fails_the_system_checks(monkeypatch):
    from communities.models import VolunteerRegistration

    monkeypatch.setattr(
        VolunteerRegistration,
        "unique_rules",
        (
            UniqueRule(("community", "registered"), "registered", "x"),
            UniqueRule(("community", "year"), "year", "x", database=False),
            UniqueRule(("community", "nothing"), "nothing", "x"),
            UniqueRule(("community", "year"), "note", "x"),
        ),
    )
    found = [(e.id, e.msg) for e in VolunteerRegistration.check() if e.id.startswith("core.")]
    assert [id_ for id_, _ in found] == ["core.E102", "core.E102", "core.E101", "core.E101"]
    assert "no UniqueConstraint" in found[0][1] and "database=False" in found[1][1]


# ---- the rules at work ---------------------------------------------------------------------------
@pytest.mark.parametrize("model,rule", RULES, ids=RULE_IDS)
def test_a_duplicate_is_refused_on_the_rules_field(world, model, rule):
    obj = maker(model)(world.c1)
    duplicate = twin(obj)
    with pytest.raises(ValidationError) as refused:
        duplicate.full_clean()
    message = rule.message_for(duplicate)
    assert "{" not in message and "}" not in message
    # the rule's message on its field, and not Django's own "... already exists" beside it
    assert refused.value.message_dict == {rule.error_field: [message]}
    if model._meta.label in LEGACY_MESSAGES:
        field, legacy = LEGACY_MESSAGES[model._meta.label]
        assert (field, legacy.format(member=getattr(duplicate, "member", None))) == (
            rule.error_field,
            message,
        )
    # clean() alone (the API calls it before validate_constraints()) refuses it the same way
    with pytest.raises(ValidationError) as refused:
        duplicate.clean()
    assert refused.value.message_dict == {rule.error_field: [message]}
    duplicate.validate_constraints()  # the mirrored constraint is left to clean()


@pytest.mark.parametrize("model,rule", RULES, ids=RULE_IDS)
def test_another_community_may_reuse_the_values(world, model, rule):
    obj = maker(model)(world.c1)
    elsewhere = maker(model)(world.c_other)
    candidate = twin(elsewhere)
    elsewhere.delete()
    scope = [name for name in rule.fields if model._meta.get_field(name).is_relation]
    values = [name for name in rule.fields if name not in scope]
    assert scope and all(getattr(candidate, name) == getattr(obj, name) for name in values)
    assert all(
        getattr(candidate, model._meta.get_field(name).attname)
        != getattr(obj, model._meta.get_field(name).attname)
        for name in scope
    )
    candidate.full_clean()
    candidate.save()


@pytest.mark.parametrize("model,rule", RULES, ids=RULE_IDS)
def test_a_row_is_not_its_own_duplicate(world, model, rule):
    obj = maker(model)(world.c1)
    obj.full_clean()
    again = model._default_manager.get(pk=obj.pk)
    again.full_clean()
    again.clean()
    assert not rule.broken_by(again)


@pytest.mark.parametrize("model,rule", RULES, ids=RULE_IDS)
def test_a_value_left_unset_skips_the_rule(world, model, rule):
    obj = maker(model)(world.c1)
    message = rule.message_for(obj)
    for name in rule.fields:
        field = model._meta.get_field(name)
        for empty in (None, "") if not field.is_relation else (None,):
            candidate = twin(obj)
            setattr(candidate, field.attname, empty)
            assert not rule.broken_by(candidate), (name, empty)
            try:
                candidate.full_clean()
            except ValidationError as exc:  # the value's own "required" error, not the rule's
                assert message not in messages(exc), (name, empty)


@pytest.mark.parametrize("model,rule", RULES, ids=RULE_IDS)
def test_the_rule_waits_for_its_fields_own_errors(world, model, rule):
    """A subclass's own error on one of the rule's fields (`super().clean(errors)`) stands alone, as
    Django's full_clean() runs unique checks only on the fields that passed."""
    obj = maker(model)(world.c1)
    duplicate = twin(obj)
    for name in rule.fields:
        with pytest.raises(ValidationError) as refused:
            UniqueRulesMixin.clean(duplicate, {name: "另有错误。"})
        assert refused.value.message_dict == {name: ["另有错误。"]}


@pytest.mark.parametrize("model,rule", RULES, ids=RULE_IDS)
def test_the_database_constraint_is_still_there(world, model, rule):
    columns = {model._meta.get_field(name).column for name in rule.fields}
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    unique = [
        set(info["columns"]) == columns and info["unique"] and not info["primary_key"]
        for info in found.values()
    ]
    if not rule.database:
        # a rule kept in the application only: no constraint, and the model says so
        assert not any(unique)
        assert not any(rule.mirrors(c) for c in model._meta.constraints)
        return
    assert any(unique), sorted(found)
    assert any(rule.mirrors(c) for c in model._meta.constraints)
    # validate_constraints() leaves out exactly the mirrored constraint and checks all the others
    checked = {c.name for _, constraints in model().get_constraints() for c in constraints}
    assert checked == {c.name for c in model._meta.constraints if not rule.mirrors(c)}
    obj = maker(model)(world.c1)
    with pytest.raises(IntegrityError), transaction.atomic():
        twin(obj).save()


def test_a_rule_message_reads_the_rows_values_and_the_models_name(world):
    from funding.models import OfficeFund

    rule = OfficeFund.unique_rules[0]
    assert rule.message_for(OfficeFund(community=world.c1, year=2022)) == "该社区2022年的社区办公经费已登记。"


def test_errors_on_other_fields_come_with_the_rules_error(world):
    """A model's own checks of fields outside the rule are reported together with the rule's."""
    appraisal = CASES["appraisals"].make(world.c1)  # first half of 2024
    duplicate = twin(appraisal)
    duplicate.held_on = duplicate.held_on.replace(month=9)
    with pytest.raises(ValidationError) as refused:
        duplicate.full_clean()
    assert refused.value.message_dict == {
        "held_on": ["开展日期须在2024年上半年之内。"],
        "subject": ["本社区该半年已登记此项评议或审计。"],
    }


def test_a_member_of_another_community_is_refused_on_member_alone(world):
    """The pay rule (member, year) waits for a member of the record's community, as before."""
    pay = CASES["cadre-pay"].make(world.c1)
    duplicate = twin(pay)
    duplicate.community = world.c2
    with pytest.raises(ValidationError) as refused:
        duplicate.full_clean()
    assert refused.value.message_dict == {"member": [f"{pay.member.name}不是所选社区的成员。"]}
