"""The one scoping mechanism.

Every scoped model's default manager is built from `ScopedQuerySet`. A model names the path from
itself to the administrative unit that places it in the tree (`unit_field`), and the scope is then a
single indexed filter: the unit's tenant is the caller's tenant and its materialized path starts
with the caller's unit path.

- `within_scope(user)`: the caller's role scope (own unit's subtree). Writes are checked against it.
- `visible_to(user)`: what the caller may read, i.e. the role scope OR-ed with object-level
  exceptions (django-guardian grants) as one `id IN (...)`; see `exceptions_q`.

Views, forms, serializers, filters and exports take their querysets from these two methods only.
"""

from django.core.exceptions import PermissionDenied
from django.db import models


def _lookup(prefix: str, name: str) -> str:
    return f"{prefix}__{name}" if prefix else name


class ScopedQuerySet(models.QuerySet):
    # Path from the model to its Unit ("" when the model is the Unit itself).
    unit_field: str = "unit"

    def within_scope(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        if user.unit_id is None or user.tenant_id is None:
            return self.none()
        return self.filter(self.scope_q(user))

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        if user.unit_id is None or user.tenant_id is None:
            return self.none()
        extra = self.exceptions_q(user)
        return self.filter(self.scope_q(user) | extra if extra is not None else self.scope_q(user))

    def scope_q(self, user) -> models.Q:
        return models.Q(
            **{
                _lookup(self.unit_field, "tenant_id"): user.tenant_id,
                _lookup(self.unit_field, "path__startswith"): user.unit.path,
            }
        )

    def exceptions_q(self, user) -> models.Q | None:
        """Object-level read grants beyond the role scope; models that take none return None."""
        return None


def may(user, action: str, obj=None) -> bool:
    """Whether `user` may take `action` (on `obj`, already found in their visible scope).

    Reading an object that `visible_to` returned is always allowed; any other action needs the
    role to allow it and, on an object, the object inside the role scope: a read-only guardian
    grant never lets anyone write.
    """
    from .roles import Action

    if user.is_superuser:
        return True
    if not user.can(action):
        return False
    if obj is None or action == Action.READ:
        return True
    return type(obj).objects.within_scope(user).filter(pk=obj.pk).exists()


def assert_within_scope(user, instance) -> None:
    """Re-check a just-written object inside the transaction; raising rolls the write back."""
    if not type(instance).objects.within_scope(user).filter(pk=instance.pk).exists():
        raise PermissionDenied("该对象不在您的管辖范围内。")
