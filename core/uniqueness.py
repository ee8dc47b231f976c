"""Unique rules declared once per model: "one per community and year", "no two with one name", ...

A model lists its rules in `unique_rules`; each mirrors a `UniqueConstraint` of its Meta over the same
fields (the database still refuses a duplicate a concurrent request slips past) and says which field
the error belongs to and in what words. `UniqueRulesMixin` then does what each model did by hand:

- `validate_constraints()` leaves the mirrored constraints out, so Django's own English,
  unkeyed "... already exists" message never appears beside the rule's;
- `clean()` checks the rules, so forms (which leave fields they do not show, such as `community`,
  out of `validate_constraints`), the API (which calls `clean()` then `validate_constraints()`) and the
  Excel import all refuse a duplicate with the same message on the same field.

A subclass with checks of its own collects their errors by field and ends with `super().clean(errors)`,
which adds the broken rules and raises them all together.
"""

from dataclasses import dataclass

from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models


@dataclass(frozen=True)
class UniqueRule:
    """No two rows share the values of `fields`; a duplicate is refused on `error_field` with
    `message`, a str.format template over the record's attributes ("{year}", "{member.name}") and
    "{verbose_name}", the model's name. `database=False`: no UniqueConstraint backs the rule (yet)."""

    fields: tuple[str, ...]
    error_field: str
    message: str
    database: bool = True

    def mirrors(self, constraint) -> bool:
        """Whether `constraint` is the plain unique constraint over this rule's fields."""
        return (
            isinstance(constraint, models.UniqueConstraint)
            and not constraint.expressions
            and constraint.condition is None
            and set(constraint.fields) == set(self.fields)
        )

    def broken_by(self, record) -> bool:
        """Whether another row already has `record`'s values; False while one of them is not set (or
        not valid, which its own field's check reports)."""
        model = type(record)
        lookup = {}
        for name in self.fields:
            field = model._meta.get_field(name)
            value = getattr(record, field.attname)
            if value in (None, ""):
                return False
            try:
                lookup[field.attname] = field.to_python(value)
            except ValidationError:
                return False
        others = model._default_manager.filter(**lookup)
        if record.pk is not None:
            others = others.exclude(pk=record.pk)
        return others.exists()

    def message_for(self, record) -> str:
        return self.message.format_map(_Attributes(record))


class _Attributes(dict):
    def __init__(self, record):
        super().__init__(verbose_name=record._meta.verbose_name)
        self.record = record

    def __missing__(self, name):
        return getattr(self.record, name)


class UniqueRulesMixin:
    """Checks a model's `unique_rules` in `clean()` instead of in `validate_constraints()`."""

    unique_rules: tuple[UniqueRule, ...] = ()

    def clean(self, errors=None):
        """Django's clean(), plus the unique rules. `errors` (field → message or messages) are those a
        subclass found itself; a rule whose fields already carry one of them is not checked, as
        Django's full_clean() runs its unique checks only on fields that passed."""
        super().clean()
        errors = dict(errors or {})
        for rule in self.unique_rules:
            if not any(name in errors for name in rule.fields) and rule.broken_by(self):
                errors.setdefault(rule.error_field, []).append(rule.message_for(self))
        if errors:
            raise ValidationError(errors)

    def get_constraints(self):
        # The constraints Model.validate_constraints() checks: all but those the rules check in clean().
        return [
            (model, [c for c in constraints if not any(rule.mirrors(c) for rule in self.unique_rules)])
            for model, constraints in super().get_constraints()
        ]

    @classmethod
    def check(cls, **kwargs):
        return [*super().check(**kwargs), *cls._check_unique_rules()]

    @classmethod
    def _check_unique_rules(cls) -> list[checks.CheckMessage]:
        errors = []
        for rule in cls.unique_rules:
            try:
                for name in rule.fields:
                    cls._meta.get_field(name)
            except FieldDoesNotExist:
                errors.append(
                    checks.Error(f"unique rule {rule.fields}: no field {name!r}.", obj=cls, id="core.E101")
                )
                continue
            if rule.error_field not in rule.fields:
                errors.append(
                    checks.Error(
                        f"unique rule {rule.fields}: its error field {rule.error_field!r} is not one of its fields.",
                        obj=cls,
                        id="core.E101",
                    )
                )
            mirrored = any(rule.mirrors(c) for c in cls._meta.constraints)
            if rule.database and not mirrored:
                errors.append(
                    checks.Error(
                        f"unique rule {rule.fields}: Meta.constraints has no UniqueConstraint over these fields.",
                        hint="Add the constraint (and its migration), or declare the rule with database=False.",
                        obj=cls,
                        id="core.E102",
                    )
                )
            elif mirrored and not rule.database:
                errors.append(
                    checks.Error(
                        f"unique rule {rule.fields}: declared database=False, but Meta.constraints has its constraint.",
                        obj=cls,
                        id="core.E102",
                    )
                )
        return errors
