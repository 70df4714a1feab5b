"""One pass through the wizard, and the order of its steps.

A `Flow` starts when the person chooses something on the handler list (a handler, an
enable/disable, a reset, a Slack workspace) and ends when they are back on that list.
It holds everything that belongs to that one choice: what to do, what was typed, what
the review showed and what the write did. Nothing of one flow reaches the next.

`next_step` is the whole routing of the wizard: which step follows which, for each
event a step can end with. The screens only report the event.
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from wizard.handlers.registry import HandlerSpec, StepText, handler_steps
from wizard.kapacitor.client import ServiceTestResult
from wizard.changes.plan import Plan
from wizard.changes.target import WriteResult
from wizard.changes.undo import UndoRecord

CONNECT = "connect"
HANDLERS = "handlers"
REVIEW = "review"
APPLY = "apply"
DONE = "done"

NEXT = "next"
BACK = "back"
HOME = "home"
"""Back to the handler list."""
JUMP = "jump"
"""To a named step of the flow (to fix a value after a failed test)."""


@dataclass(frozen=True)
class Intent:
    """What to do with the chosen handler.

    configure: follow its steps; toggle: only enable or disable it;
    reset: remove the API overrides of some options, so kapacitor.conf's values apply;
    remove: remove the flow's element of a list section (a built-in one is only reset).
    """

    kind: str
    enable: bool = True
    resets: tuple[str, ...] = ()

    @property
    def sends_alerts(self) -> bool:
        """Whether the handler is meant to deliver alerts afterwards, so a test alert proves something."""
        return self.kind == "configure" or (self.kind == "toggle" and self.enable)


def will_test(intent: Intent, can_test: bool) -> bool:
    """Whether Apply asks Kapacitor for a test alert: when the handler is set up or
    enabled, and only through the API (a file is read at Kapacitor's next start)."""
    return can_test and intent.sends_alerts


@dataclass(frozen=True)
class Review:
    """What the Review step showed: Apply writes exactly this plan, and sends a test
    alert only when `will_test` said so."""

    plan: Plan
    will_test: bool


_flow_ids = itertools.count(1)


@dataclass(eq=False)
class Flow:
    """One choice from the handler list and everything that follows from it."""

    handler: HandlerSpec
    workspace: str = ""
    intent: Intent = field(default_factory=lambda: Intent("configure"))
    values: dict[str, Any] | None = None
    """What the person typed, by option, first filled from Kapacitor; Escape and back keep it."""
    reviewed: Review | None = None
    """The review whose Apply was pressed; Apply takes it, so it is carried out once."""
    applied: Review | None = None
    """The review Apply carried out (its plan was written, or was empty)."""
    last_write: WriteResult | None = None
    test_result: ServiceTestResult | None = None
    """Kapacitor's answer to the service test of this flow's last Apply, if it ran."""
    undo_record: UndoRecord | None = None
    """What this flow's write replaced: Undo on the Done step takes back only this write."""
    way: str = ""
    """Slack on Kapacitor 1.6+: "webhook" or "app" (a bot token); "" when there is no choice."""
    confirmed: set[str] = field(default_factory=set)
    """Values the person said yes to after a question (a plain http:// webhook on another host):
    asked once per flow, also when they go back and forth."""
    id: int = field(default_factory=lambda: next(_flow_ids))

    def steps(self) -> tuple[StepText, ...]:
        """The handler's own steps: only when configuring it."""
        if self.intent.kind != "configure":
            return ()
        return handler_steps(self.handler, self.way)

    def step_ids(self) -> tuple[str, ...]:
        return tuple(step.id for step in self.steps())

    def take_review(self) -> Review | None:
        """The review to carry out, once: a second Apply needs a second press on Review."""
        review, self.reviewed = self.reviewed, None
        return review


def route(flow: Flow | None) -> tuple[str, ...]:
    """Every step in order: without a flow only Connect and the handler list."""
    if flow is None:
        return (CONNECT, HANDLERS)
    return (CONNECT, HANDLERS, *flow.step_ids(), REVIEW, APPLY, DONE)


def next_step(steps: Sequence[str], current: str, event: str, target: str = "") -> str:
    """The step after `current` ends with `event`.

    Done never leads back into Apply: Back or Escape there returns to the handler list,
    so nothing is written or tested again. Apply is reached only from Review's Apply.
    """
    if current not in steps:
        return HANDLERS if HANDLERS in steps else CONNECT
    index = steps.index(current)
    if event == HOME:
        return HANDLERS
    if event == JUMP:
        return target if target in steps and target not in (APPLY, DONE, CONNECT) else current
    if event == BACK:
        if current in (DONE, HANDLERS):
            return HANDLERS if current == DONE else CONNECT
        return steps[max(0, index - 1)]
    if event == NEXT:
        if current == DONE:
            return HANDLERS
        if current == HANDLERS and len(steps) == 2:
            return HANDLERS  # nothing was chosen
        return steps[min(index + 1, len(steps) - 1)]
    return current
