"""The step table: every step of a self-check's review, declared once beside the state machine
(`workflow`), which takes each step.

A row says who may take a step (roles' actions, `core.roles.Action`) from which status and where it
leads (`moves`), what it takes (`inputs`: name, kind, required, choices, help text, the message for a
value of the wrong kind), and how the pages show it (button label, success message). Everything else
derives from the rows:

- `workflow`: each step's role check reads its actions and its moves here, and the input's shape
  (a yes/no, one of the choices, a stripped text, a text that may not be blank) is checked by the
  row's `Input.clean`, at the point of the refusal order the step asks for it (404 → 403 → 400 → 409).
  What needs the self-check itself (an indicator of its edition, a title no higher than its level, a
  comment when returning) stays in the step's function. A row's `judged_first` declares the kind of
  indicator that must all be judged before the step goes through (approving: the evidence indicators;
  accepting: the site indicators), a 409 at the status check that names them.
- the pages (`assessments.views`): one handler posts any row's inputs from its form; the buttons
  (`can_<step>`) are shown from the moves out of the current status and the caller's actions, and the
  indicators that still hold a step back (`unjudged`) are listed above its form.
- the API (`assessments.api`): one action per row, declaring the row's actions as the permission,
  its body built from the row's inputs (`api.serializers.step_body`), so the schema names the body
  after `body` (`JudgeRequest`, `ReviewRequest`, `SiteVisitRequest` …).
"""

import inspect
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property
from importlib import import_module

from django.core.exceptions import ValidationError

from core.roles import Action
from core.scope import may
from standards.models import Indicator

from .evaluator import evaluator_for
from .models import SelfCheck, SiteVisit

Status = SelfCheck.Status


class Kind:
    """How an input's value is read and checked."""

    TEXT = "text"  # a string, stripped; anything else counts as blank
    CODE = "code"  # a code, taken as given: the step looks it up (an indicator, a title)
    FLAG = "flag"  # a yes/no that must be chosen: true or false (the page's select: "true"/"false")
    CHOICE = "choice"  # one of `choices`
    FILE = "file"  # an uploaded file (the page's and the API's multipart body)
    FIELD = "field"  # a field of the step's `record` model, checked by the model (full_clean)
    CHECKBOX = "checkbox"  # a boolean field of `record`: a checkbox on the page, unticked is false
    NUMBER = "number"  # an optional decimal number (JSON number or its text); left out or blank is None


NOT_GIVEN = object()


@dataclass(frozen=True)
class Input:
    name: str
    kind: str = Kind.TEXT
    required: bool = False  # the body must carry it (the schema's `required`)
    choices: tuple[tuple[str, str], ...] = ()
    help_text: str = ""
    default: object = NOT_GIVEN  # the schema's default when left out
    invalid: str = ""  # the 400 for a value of the wrong kind (a flag not chosen, no choice)
    blank: str = ""  # the 400 for a blank text, when the step needs one

    def clean(self, value):
        """The value as the step takes it, or a 400 keyed by this input."""
        if self.kind == Kind.TEXT:
            value = value.strip() if isinstance(value, str) else ""
            if self.blank and not value:
                raise ValidationError({self.name: [self.blank]})
        elif self.kind == Kind.FLAG and not isinstance(value, bool):
            raise ValidationError({self.name: [self.invalid]})
        elif self.kind == Kind.CHOICE and value not in {code for code, _ in self.choices}:
            raise ValidationError({self.name: [self.invalid]})
        elif self.kind == Kind.NUMBER:
            return self._number(value)
        return value

    def _number(self, value):
        if value is NOT_GIVEN or value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise ValidationError({self.name: [self.invalid]})
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError({self.name: [self.invalid]}) from None
        if not number.is_finite():
            raise ValidationError({self.name: [self.invalid]})
        return number


@dataclass(frozen=True)
class Move:
    """From `source` the step leads to one of `targets`, for a caller who may take one of `actions`."""

    source: str
    targets: tuple[str, ...]
    actions: tuple[str, ...]

    @property
    def target(self) -> str:
        return self.targets[0]


def moves(*sources: str, by: str | tuple[str, ...], to: str | tuple[str, ...] = ()) -> tuple[Move, ...]:
    """Moves out of each of `sources` (to `to`, else staying) for the action(s) `by`."""
    actions = (by,) if isinstance(by, str) else tuple(by)
    return tuple(
        Move(source, (to,) if isinstance(to, str) else tuple(to) or (source,), actions) for source in sources
    )


@dataclass(frozen=True)
class Step:
    name: str  # the URL's step: /self-checks/<pk>/<name>/ and /api/v1/self-checks/<pk>/<name>/
    run: str  # the function of `workflow` that takes it
    moves: tuple[Move, ...]
    verb: str  # "…当前为“…”,不能<verb>。" (the 409)
    label: str  # the page's button
    done: str  # the page's message once taken
    inputs: tuple[Input, ...] = ()
    record: type | None = None  # the model whose fields the `FIELD` inputs are
    body: str = ""  # the schema's name of the body (`<body>Request`); "" for a step that takes none
    body_help: str = ""  # the body's description in the schema
    api: bool = True  # also an action of the API (`self-checks/{id}/<name>/`)
    page: bool = True  # also posted from the self-check page
    # The kind of indicator (`Indicator.Check`) that must all be judged before the step goes through
    # (else 409, naming them), and the decisions (values of the step's first input) it holds for;
    # () is every decision.
    judged_first: str = ""
    judged_first_for: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The name as a Python identifier: the API action's and the page context's (`can_<key>`)."""
        return self.name.replace("-", "_")

    @property
    def function(self):
        return getattr(import_module(f"{__package__}.workflow"), self.run)

    @property
    def returns(self):
        """What the step answers with: its function's return annotation (a self-check, a record)."""
        return inspect.signature(self.function).return_annotation

    @cached_property
    def actions(self) -> tuple[str, ...]:
        """Every action that may take the step from some status: the role check on entry (403)."""
        return tuple(dict.fromkeys(action for move in self.moves for action in move.actions))

    def move_from(self, status: str) -> Move | None:
        return next((move for move in self.moves if move.source == status), None)

    def open_to(self, user, check: SelfCheck) -> bool:
        """Whether `user` may take the step on `check` as it stands (the page's button)."""
        move = self.move_from(check.status)
        return move is not None and any(may(user, action, check) for action in move.actions)

    def blocks(self, decision=NOT_GIVEN) -> bool:
        """Whether unjudged `judged_first` indicators hold the step back for `decision` (not given:
        for some decision, as the page asks before one is chosen)."""
        if not self.judged_first:
            return False
        return decision is NOT_GIVEN or not self.judged_first_for or decision in self.judged_first_for

    def unjudged(self, check: SelfCheck, decision=NOT_GIVEN) -> list[Indicator]:
        """The `judged_first` indicators of `check` still unjudged (`passed` None), in the edition's
        order, that hold the step back for `decision`; [] when nothing does."""
        if not self.blocks(decision):
            return []
        by_code = evaluator_for(check.edition).by_code
        found = (by_code.get(result["indicator"]) for result in check.results if result["passed"] is None)
        return [indicator for indicator in found if indicator and indicator.check_kind == self.judged_first]

    def input(self, name: str) -> Input:
        return next(found for found in self.inputs if found.name == name)

    def clean(self, name: str, value):
        return self.input(name).clean(value)


def _site_visit_inputs(*names: str) -> tuple[Input, ...]:
    return tuple(
        Input(
            name,
            Kind.CHECKBOX
            if SiteVisit._meta.get_field(name).get_internal_type() == "BooleanField"
            else Kind.FIELD,
        )
        for name in names
    )


# Which indicators are judged in which status (and so, by the judge's moves, by whom).
JUDGED_WHILE = {Indicator.Check.EVIDENCE: Status.SUBMITTED, Indicator.Check.SITE: Status.DISTRICT_APPROVED}


def table(*steps: Step) -> dict[str, Step]:
    return {step.name: step for step in steps}


OPEN = SelfCheck.OPEN_STATUSES
DECIDED = (Status.ACCEPTED, Status.REJECTED)

STEPS: dict[str, Step] = table(
    Step(
        name="submit",
        run="submit",
        moves=moves(*OPEN, to=Status.SUBMITTED, by=Action.SUBMIT),
        verb="提交",
        label="提交区县审核",
        done="已提交区县审核。",
    ),
    Step(
        name="judge",
        run="judge",
        # Evidence indicators by the district while submitted, site indicators by the city after.
        moves=moves(Status.SUBMITTED, by=Action.REVIEW) + moves(Status.DISTRICT_APPROVED, by=Action.ACCEPT),
        verb="判定该指标",
        label="判定",
        done="已记录判定。",
        inputs=(
            Input("indicator", Kind.CODE, required=True, help_text="证据类或实地类指标的代码"),
            Input(
                "passed",
                Kind.FLAG,
                default=None,
                invalid="请选择是否达标。",
                help_text="达标得满分的指标:是否达标(评审打分的指标可改填 earned)",
            ),
            Input(
                "earned",
                Kind.NUMBER,
                default=None,
                invalid="得分须为数字。",
                help_text="评审打分的指标:得分,0至满分,以0.5分为一档;低于满分须填写 note",
            ),
            Input("note", default=""),
        ),
        body="Judge",
    ),
    Step(
        name="review",
        run="review",
        moves=moves(Status.SUBMITTED, to=(Status.DISTRICT_APPROVED, Status.RETURNED), by=Action.REVIEW),
        verb="审核",
        label="提交审核意见",
        done="已完成审核。",
        inputs=(
            Input(
                "decision",
                Kind.CHOICE,
                required=True,
                choices=(("approve", "通过"), ("return", "退回")),
                invalid="请选择审核结果:通过(approve)或退回(return)。",
            ),
            Input("comment", default=""),
        ),
        body="Review",
        # Approving needs every evidence indicator judged (returning does not).
        judged_first=Indicator.Check.EVIDENCE,
        judged_first_for=("approve",),
    ),
    Step(
        name="site-visit",
        run="record_site_visit",
        moves=moves(Status.DISTRICT_APPROVED, by=Action.ACCEPT),
        verb="记录实地评估",
        label="保存实地评估",
        done="已记录实地评估。",
        inputs=_site_visit_inputs(
            "visited_on",
            "forum_held",
            "forum_participants",
            "questionnaire_sample",
            "satisfaction_score",
            "note",
        ),
        record=SiteVisit,
        body="SiteVisit",
    ),
    Step(
        name="accept",
        run="accept",
        moves=moves(Status.DISTRICT_APPROVED, to=(Status.ACCEPTED, Status.REJECTED), by=Action.ACCEPT),
        verb="验收",
        label="完成验收",
        done="已完成市级验收。",
        inputs=(
            Input(
                "designation",
                Kind.CODE,
                required=True,
                help_text="称号代码(qualified/standardized/model/premium),或 rejected",
            ),
            Input("comment", default=""),
        ),
        body="Accept",
        # Every decision, a title or rejected, needs every site indicator judged.
        judged_first=Indicator.Check.SITE,
    ),
    Step(
        name="reopen",
        run="reopen",
        moves=moves(Status.DISTRICT_APPROVED, to=Status.SUBMITTED, by=Action.REOPEN_DISTRICT_APPROVED)
        + moves(*DECIDED, to=Status.DISTRICT_APPROVED, by=Action.REOPEN_DECIDED),
        verb="撤回",
        label="撤回重审",
        done="已撤回。",
        inputs=(Input("reason", default="", blank="撤回须填写原因。"),),
        body="Reopen",
    ),
    Step(
        name="evidence",
        run="file_evidence",
        moves=moves(*OPEN, by=Action.SUBMIT),
        verb="上传材料",
        label="上传材料",
        done="材料已上传。",
        inputs=(
            Input("indicator", Kind.CODE, required=True),
            Input("file", Kind.FILE, required=True),
            Input("description"),
        ),
        body="IndicatorEvidenceUpload",
        body_help="multipart/form-data: the evidence indicator's code, the file, a description.",
    ),
    Step(
        name="reuse-evidence",
        run="reuse_evidence",
        moves=moves(*OPEN, by=Action.SUBMIT),
        verb="上传材料",
        label="沿用去年材料",
        done="已沿用去年的材料。",
        inputs=(Input("indicator", Kind.CODE, required=True),),
        api=False,  # a page's convenience; the API files the file again (`evidence`)
    ),
)
