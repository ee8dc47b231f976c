"""Reads from a read replica (`DATABASE_REPLICA_URL`, docs/operations.md): the API's list and detail
answers and the programme figures are read from the `replica` database; everything else, and every
write, stays on `default`.

Only what is provably a pure read goes to the replica, decided per request by `ReplicaReadsMiddleware`:
a GET or HEAD whose view is a DRF viewset's `list` or `retrieve`, or a view that declares
`replica_reads = True` (the figures' pages and endpoints). Within such a request the router still
keeps on `default`:

- every read inside a transaction on `default` (`select_for_update`, a workflow step, anything that
  reads what it is about to write: a replica may lag behind what the transaction sees);
- the rows that decide who the caller is and what they may do (users, sessions, tokens, permissions,
  login lockouts): a token or a grant made a moment ago must count at once.

Without the setting the router is not installed and the middleware's mark has no effect.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
SAFE_METHODS = ("GET", "HEAD")
READ_ACTIONS = ("list", "retrieve")
# Apps and models always read from `default`: who the caller is and what they may do.
PRIMARY_APPS = frozenset({"auth", "sessions", "axes", "guardian", "contenttypes", "admin"})
PRIMARY_MODELS = frozenset({"core.User", "core.ApiToken"})

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads():
    """Reads in this block may go to the replica (when one is configured)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reads_from_replica(view_func, method: str) -> bool:
    """Whether a request with this view and method is a pure read: a viewset's list or detail, or a
    view that says so (`replica_reads = True`)."""
    if method not in SAFE_METHODS:
        return False
    actions = getattr(view_func, "actions", None)
    if actions:
        return actions.get(method.lower(), actions.get("get")) in READ_ACTIONS
    view = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
    return bool(getattr(view, "replica_reads", False))


class ReplicaReadsMiddleware:
    """Marks the requests whose reads may go to the replica (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _replica_reads.set(False)
        try:
            return self.get_response(request)
        finally:
            _replica_reads.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if reads_from_replica(view_func, request.method):
            _replica_reads.set(True)  # reset in __call__ once the response is made
        return None


class ReplicaRouter:
    """`replica` for the marked requests' reads, `default` for everything else (installed only with
    `DATABASE_REPLICA_URL`)."""

    def db_for_read(self, model, **hints):
        if not _replica_reads.get():
            return None
        if model._meta.app_label in PRIMARY_APPS or model._meta.label in PRIMARY_MODELS:
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as default: objects read from either relate freely.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
