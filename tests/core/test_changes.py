"""`core.changes`, the one change path: every record type's save and delete reaches it, it acts once
per committed transaction and not for a rolled-back one, and no module listens to model signals
instead."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from communities import records
from core import changes

from ..records.cases import CASES

ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def seen(monkeypatch):
    """What the change path hands its handlers on commit: the re-evaluations and the figures ended."""
    calls = {"refresh": [], "figures": []}
    monkeypatch.setattr(changes._handlers, "refresh", calls["refresh"].append)
    monkeypatch.setattr(changes._handlers, "end_figures", calls["figures"].append)
    return calls


@pytest.mark.parametrize("slug", sorted(rt.slug for rt in records.all_types()))
def test_every_record_type_s_save_and_delete_reach_the_change_path(
    world, seen, slug, django_capture_on_commit_callbacks
):
    label = records.get(slug).model._meta.label
    with django_capture_on_commit_callbacks(execute=True):
        record = CASES[slug].make(world.c1)
    with django_capture_on_commit_callbacks(execute=True):
        record.save()
    with django_capture_on_commit_callbacks(execute=True):
        record.delete()
    assert len(seen["refresh"]) == 3, f"{label}: a save or delete did not reach core.changes"
    for refreshed in seen["refresh"]:
        assert list(refreshed) == [world.c1.pk]
        # (making some records makes the records they name first: a sub-committee's member)
        assert label in {changed_label for changed_label, _ in refreshed[world.c1.pk]}


@pytest.mark.django_db(transaction=True)
def test_a_commit_evaluates_its_communities_together_and_ends_their_figures_once(world, seen):
    with transaction.atomic():
        world.c1.households += 1
        world.c1.save()
        world.c2.households += 1
        world.c2.save()
    assert seen["refresh"] == [{world.c1.pk: None, world.c2.pk: None}]
    assert seen["figures"] == [{world.t1.path, world.t2.path}]
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            world.c3.households += 1
            world.c3.save()
            raise RuntimeError
    with transaction.atomic():
        world.c1.phone = "12345678"  # a field nothing reads: nothing to do
        world.c1.save()
        world.c2.households += 1
        world.c2.save()
    # The rolled-back change of c3 is not acted on with the next commit.
    assert seen["refresh"][1:] == [{world.c2.pk: None}]
    assert seen["figures"][1:] == [{world.t2.path}]


def _product_modules():
    apps = [path.parent for path in ROOT.glob("*/apps.py")]
    return [path for app in apps for path in app.rglob("*.py") if "migrations" not in path.parts]


def test_no_module_listens_to_model_signals_for_changes():
    """Writers call `core.changes`; nobody connects post_save/post_delete receivers (or reads
    Django's pending on-commit list) to follow changes behind their back."""
    pattern = re.compile(
        r"\b(post_save|post_delete|pre_save|pre_delete|m2m_changed|run_on_commit)\b|@receiver"
    )
    # A model field's own `pre_save()` (Django's Field API, not a signal) is no listener.
    field_api = re.compile(r"def pre_save\(|super\(\)\.pre_save\(")
    modules = _product_modules()
    assert any(path.name == "changes.py" for path in modules)
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in modules
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) and not field_api.search(line)
    ]
    assert offenders == []
