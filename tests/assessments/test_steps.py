"""The step table (`assessments.steps.STEPS`) is the one declaration of the review's steps: the pages
post and show, the API routes and declares, and the schema describes exactly its rows. These tests
read what they expect from the table (and `core.roles`), never from a list of their own."""

from collections.abc import Mapping
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from rest_framework.test import APIRequestFactory, force_authenticate

from assessments import runs, workflow
from assessments.api.serializers import STEP_BODIES, step_body
from assessments.api.views import SelfCheckViewSet, step_action, with_steps
from assessments.models import SelfCheck
from assessments.steps import STEPS, Input, Kind, Step, moves
from core.roles import Action, role_may
from designations.models import Enrolment

YEAR = timezone.localdate().year
S = SelfCheck.Status
# In c1's scope, one per role that takes steps, and the reader who takes none.
USERS = ["clerk", "reviewer", "officer", "reader"]


@pytest.fixture
def check(world):
    Enrolment.objects.create(community=world.c1, year=YEAR)
    runs.evaluate_communities([world.c1.pk], YEAR)
    return SelfCheck.objects.get(community=world.c1, year=YEAR)


def _routes(viewset) -> dict:
    return {extra.url_path: extra for extra in viewset.get_extra_actions()}


def _declared(extra, method="POST"):
    declared = extra.kwargs["action_requires"]
    declared = declared[method] if isinstance(declared, Mapping) else declared
    return (declared,) if isinstance(declared, str) else tuple(declared)


# ---- the API ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [name for name, step in STEPS.items() if step.api])
def test_every_api_step_is_a_post_route_declaring_the_tables_actions(name):
    step = STEPS[name]
    extra = _routes(SelfCheckViewSet)[name]
    assert extra.detail and "post" in extra.mapping
    assert _declared(extra) == step.actions
    assert Action.READ not in step.actions  # a step is never a read


def test_the_apis_post_routes_on_one_self_check_are_the_tables_steps():
    posted = {
        path for path, extra in _routes(SelfCheckViewSet).items() if extra.detail and "post" in extra.mapping
    }
    assert posted == {name for name, step in STEPS.items() if step.api}


def test_reading_the_evidence_stays_a_read():
    assert _declared(_routes(SelfCheckViewSet)["evidence"], "GET") == (Action.READ,)


@pytest.mark.parametrize("name", [name for name, step in STEPS.items() if step.api and step.inputs])
def test_the_schemas_body_is_the_tables_inputs(name):
    step, body = STEPS[name], STEP_BODIES[name]
    assert body.__name__ == f"{step.body}Serializer"
    fields = body().fields
    assert list(fields) == [declared.name for declared in step.inputs]
    for declared in step.inputs:
        if step.record is None:
            assert fields[declared.name].required == declared.required
        if declared.kind == Kind.CHOICE:
            assert list(fields[declared.name].choices) == [code for code, _ in declared.choices]


# ---- the page -----------------------------------------------------------------------------------------


class _Forms(HTMLParser):
    """The steps' forms of a page: {step name: the names of their inputs}."""

    def __init__(self, pk):
        super().__init__()
        self.prefix, self.forms, self.current = f"/self-checks/{pk}/", {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = attrs.get("action", "")
            name = action.removeprefix(self.prefix).strip("/")
            self.current = name if action.startswith(self.prefix) and name in STEPS else None
            if self.current is not None:
                self.forms.setdefault(self.current, set())
        elif tag in ("input", "select", "textarea") and self.current and attrs.get("name"):
            if attrs["name"] != "csrfmiddlewaretoken":
                self.forms[self.current].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def _role(world, user):
    return getattr(world, user).role


@pytest.mark.django_db
@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("user", USERS)
def test_the_pages_buttons_are_the_tables_moves_for_each_status_and_role(world, client, check, status, user):
    SelfCheck.objects.filter(pk=check.pk).update(status=status)
    client.force_login(getattr(world, user))
    response = client.get(f"/self-checks/{check.pk}/")
    parser = _Forms(check.pk)
    parser.feed(response.content.decode())
    for name, step in STEPS.items():
        move = step.move_from(status)
        expected = move is not None and any(role_may(_role(world, user), action) for action in move.actions)
        assert response.context[f"can_{step.key}"] is expected, (name, status, user)
        # Each shown form posts the step's inputs, by the table's names; a step not open has none.
        if name in parser.forms:
            assert expected, (name, status, user)
            assert parser.forms[name] == {declared.name for declared in step.inputs}, name
        elif name != "reuse-evidence":  # offered only where last year's file is there to reuse
            assert not expected, (name, status, user)


@pytest.mark.django_db
@pytest.mark.parametrize("name", [name for name, step in STEPS.items() if step.page])
def test_every_page_step_posts_its_inputs_to_its_function(world, client, check, monkeypatch, name):
    step, calls = STEPS[name], []
    monkeypatch.setattr(workflow, step.run, lambda user, pk, **given: calls.append((user, pk, given)))
    posted = {
        declared.name: {Kind.FLAG: "true", Kind.CHECKBOX: "on"}.get(declared.kind, "x")
        for declared in step.inputs
        if declared.kind != Kind.FILE
    }
    client.force_login(world.clerk)
    response = client.post(f"/self-checks/{check.pk}/{name}/", posted)
    assert response.status_code == 302
    assert [str(message) for message in get_messages(response.wsgi_request)] == [step.done]
    [(user, pk, given)] = calls
    assert (user, pk) == (world.clerk, check.pk)
    assert set(given) == {declared.name for declared in step.inputs}
    for declared in step.inputs:
        if declared.kind in (Kind.FLAG, Kind.CHECKBOX):
            assert given[declared.name] is True
        elif declared.kind == Kind.FILE:
            assert given[declared.name] is None


@pytest.mark.django_db
def test_a_step_not_in_the_table_is_not_found(world, client, check):
    client.force_login(world.clerk)
    assert client.post(f"/self-checks/{check.pk}/approve-all/").status_code == 404


# ---- a new row appears everywhere -------------------------------------------------------------------


@pytest.fixture
def witness(monkeypatch):
    """A step the table did not have: the town notes a witness on its own draft."""
    calls = []

    def take(user, pk, remark: str = "") -> SelfCheck:
        calls.append((user.pk, pk, STEPS["witness"].clean("remark", remark)))
        return SelfCheck.objects.get(pk=pk)

    monkeypatch.setattr(workflow, "witness", take, raising=False)
    step = Step(
        name="witness",
        run="witness",
        moves=moves(S.DRAFT, by=Action.SUBMIT),
        verb="登记见证人",
        label="登记见证人",
        done="已登记见证人。",
        inputs=(Input("remark", help_text="见证人及说明"),),
        body="Witness",
    )
    monkeypatch.setitem(STEPS, "witness", step)
    return step, calls


@pytest.mark.django_db
def test_a_new_row_is_a_button_and_a_post_on_the_page(world, client, check, witness):
    step, calls = witness
    client.force_login(world.clerk)
    assert client.get(f"/self-checks/{check.pk}/").context["can_witness"] is True
    client.force_login(world.reviewer)
    assert client.get(f"/self-checks/{check.pk}/").context["can_witness"] is False

    client.force_login(world.clerk)
    response = client.post(f"/self-checks/{check.pk}/witness/", {"remark": " 王某 "})
    assert [str(message) for message in get_messages(response.wsgi_request)] == [step.done]
    assert calls == [(world.clerk.pk, check.pk, "王某")]


@pytest.mark.django_db
def test_a_new_row_is_an_action_of_the_api_with_its_body_and_permission(world, check, witness):
    step, calls = witness
    body = step_body(step)
    assert body.__name__ == "WitnessSerializer" and list(body().fields) == ["remark"]

    viewset = with_steps(type("WitnessedSelfChecks", (SelfCheckViewSet,), {}))
    extra = _routes(viewset)["witness"]
    assert _declared(extra) == (Action.SUBMIT,)
    assert step_action(step).kwargs["action_requires"] == (Action.SUBMIT,)

    request = APIRequestFactory().post(
        f"/api/v1/self-checks/{check.pk}/witness/", {"remark": "李某"}, format="json"
    )
    force_authenticate(request, user=world.clerk)
    response = viewset.as_view({"post": "witness"}, detail=True, **extra.kwargs)(request, pk=str(check.pk))
    assert response.status_code == 200 and response.data["id"] == check.pk
    assert calls == [(world.clerk.pk, str(check.pk), "李某")]


def test_the_table_declares_which_steps_wait_for_judgements():
    """Approving waits for the evidence indicators, accepting (any decision) for the site indicators;
    returning and the other steps wait for nothing."""
    review, accept = STEPS["review"], STEPS["accept"]
    assert (review.judged_first, review.judged_first_for) == ("evidence", ("approve",))
    assert review.blocks("approve") and not review.blocks("return")
    assert accept.judged_first == "site" and accept.blocks("rejected") and accept.blocks("model")
    assert [step.name for step in STEPS.values() if step.judged_first] == ["review", "accept"]
