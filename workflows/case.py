"""`SupportCaseWorkflow`: one durable case per customer conversation.

A customer message arrives as the `post_message` update (sent with
update-with-start) and is answered in the same call. Each message runs one turn of
the LangGraph support graph. When the graph interrupts for an approval, the case
parks in `awaiting_approval`: `submit_approval` answers it and the graph resumes
with `Command(resume=…)`; the reply then goes out through the channel's outbox. A
timer escalates an approval that outlives its SLA. Escalated cases wait for a
person, who can reply, hand the case back to the agent, or close it. In shadow mode
(`domain.controls`) a turn's reply is held as a draft the customer never sees; a person
sends it as drafted or edited (`send_draft`), and the event says which.

After every step that changed the case, one local activity (`record_case`) writes
the store's projection, the step's audit events and the messages to send: a
marker in the history instead of an activity and the workflow task it wakes.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal, cast

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from langchain_core.runnables import RunnableConfig
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.types import Command
    from temporalio.langgraph import cache as node_results
    from temporalio.langgraph import graph

    from activities.case import CaseActivities
    from brain import templates
    from domain.approvals import ApprovalRefused, check_submitted_approval
    from domain.handoff import handoff_fields
    from domain.turn import CORRECTION, next_request
    from graph.builder import GRAPH_NAME
    from graph.identity import hide_awaited_code
    from graph.runs import compiled, keep_latest_checkpoint, run_config
    from graph.state import (
        ApprovalDecision,
        ApprovalRequest,
        CapturedState,
        CaseState,
        TurnOutcome,
    )
    from workflows.approval_trust import trusted_keys
    from workflows.contracts import (
        ActionView,
        AgentReply,
        CarriedCase,
        CaseEvent,
        CaseInput,
        CaseStatus,
        CaseView,
        DecidedApproval,
        DeliverMessageInput,
        EarlierCase,
        Handoff,
        HandoffActionInput,
        HumanReplyInput,
        JsonObject,
        PendingApproval,
        PostMessageInput,
        PostMessageResult,
        RecordCaseInput,
        SendDraftInput,
        ShadowDraft,
        SubmitApprovalInput,
        SubmitApprovalResult,
        TranscriptEntry,
    )
    from workflows.search_attributes import (
        AMOUNT,
        CASE_CATEGORY,
        CASE_STATUS,
        CHANNEL,
        CUSTOMER_ID,
        RISK_LEVEL,
    )

# Histories recorded before it resolved a case on a declined proposal.
_NOT_A_RESOLUTION = "declining-is-not-a-resolution"
_NEXT_REQUEST = "take-up-the-next-request"
_STATUS_OF_OUTCOME: dict[TurnOutcome, CaseStatus] = {
    TurnOutcome.ASK: CaseStatus.AWAITING_CUSTOMER,
    TurnOutcome.CONFIRM: CaseStatus.AWAITING_CUSTOMER,
    TurnOutcome.ANSWER: CaseStatus.RESOLVED,
    TurnOutcome.EXECUTED: CaseStatus.RESOLVED,
    TurnOutcome.REFUSE: CaseStatus.AWAITING_CUSTOMER,
    TurnOutcome.REJECTED: CaseStatus.RESOLVED,
    TurnOutcome.ESCALATE: CaseStatus.ESCALATED,
    TurnOutcome.AWAITING_APPROVAL: CaseStatus.AWAITING_APPROVAL,
}
# Recording is a local write, retried until the store takes it (it is idempotent).
_RECORD_TIMEOUT = timedelta(seconds=30)
_RECORD_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=30)
)
_MIN_TIMER = timedelta(seconds=1)
_IDLE_SUMMARY = "close the case if nothing happened meanwhile"
# workflow.patched id: a first approval of two is recorded as soon as it is given.
_RECORD_FIRST_APPROVAL = "record-first-of-two-approvals"


class HumanAction(StrEnum):
    """What a person asked of an escalated case (queued by its update, run by the loop)."""

    REPLY = "reply"
    HAND_BACK = "hand_back"
    CLOSE = "close"
    SEND_DRAFT = "send_draft"  # a shadow-mode draft, as drafted or edited


def _search_number(value: Decimal) -> float:
    """Visibility indexes store numbers as doubles; only filters and sorting read them."""
    return float(value)


@workflow.defn(name="SupportCaseWorkflow")
class SupportCaseWorkflow:
    @workflow.init
    def __init__(self, inp: CaseInput) -> None:
        self._input = inp
        carried: CarriedCase = inp.carried or {}
        self._state: CaseState = carried.get("state") or {
            "case_id": inp.case_id,
            "channel": inp.channel,
            "turn": 0,
            "captured": {},
            "executed": [],
            "action_seq": 0,
            "verified": False,
        }
        self._status = CaseStatus(carried.get("status", CaseStatus.OPEN))
        self._transcript: list[TranscriptEntry] = list(carried.get("transcript", []))
        self._handoff: Handoff | None = carried.get("handoff")
        self._decided: list[DecidedApproval] = list(carried.get("decided", []))
        self._draft: ShadowDraft | None = carried.get("draft")
        self._approval_count: int = carried.get("approval_count", 0)
        self._event_seq: int = carried.get("event_seq", 0)
        self._actions_logged: int = len(self._state.get("executed", []))
        self._pending: PendingApproval | None = None
        self._resume: ApprovalDecision | None = None
        self._sla_escalated = False
        self._inbox: list[tuple[int, PostMessageInput]] = []
        self._replies: dict[int, PostMessageResult] = {}
        self._tickets = 0
        self._human: list[tuple[HumanAction, Any]] = []
        self._events: list[CaseEvent] = []
        self._outbox: list[DeliverMessageInput] = []
        self._last_activity = workflow.now()
        self._recorded_len = -1
        self._published: tuple[Any, ...] | None = None
        # Timers run as tasks that queue their name in `_rang` for the loop: the idle timer
        # is armed once and re-armed only when it rings early, never on every wait.
        self._rang: list[str] = []
        self._record_due = False  # a handler changed what the store shows, and nothing else
        self._idle_timer: asyncio.Task[None] | None = None
        self._sla_timer: asyncio.Task[None] | None = None

    # --- the loop ----------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: CaseInput) -> str:
        # The checkpointer only has to carry a turn across an approval's interrupt: between
        # turns the case's state is `self._state`, so a finished turn's checkpoints are
        # dropped (`_absorb`) instead of piling up in every cached case for its whole life,
        # and a turn waiting for an approver keeps only the checkpoint it resumes from. The
        # compiled graph is the worker's, shared by every case (graph/runs.py).
        self._checkpoints = InMemorySaver()
        self._app = compiled(graph(GRAPH_NAME))
        self._config: RunnableConfig = run_config(workflow.info().workflow_id, self._checkpoints)
        self._idle_timer = self._start_timer("idle", self._idle_deadline(), _IDLE_SUMMARY)
        while self._status is not CaseStatus.CLOSED:
            await workflow.wait_condition(self._has_work)
            if self._resume is not None:
                await self._resume_after_approval()
            elif self._inbox:
                ticket, message = self._inbox.pop(0)
                await self._handle_message(ticket, message)
            elif self._human:
                await self._handle_human(*self._human.pop(0))
            elif self._rang:
                self._on_timer(self._rang.pop(0))
            self._record_due = False
            await self._record()
            if self._should_continue_as_new():
                await workflow.wait_condition(workflow.all_handlers_finished)
                self._stop_timers()
                workflow.continue_as_new(self._carry())
        self._stop_timers()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._status.value

    def _has_work(self) -> bool:
        return (
            bool(self._inbox or self._human or self._rang)
            or self._resume is not None
            or self._record_due
        )

    # --- timers --------------------------------------------------------------------------

    def _idle_deadline(self) -> datetime:
        return self._last_activity + timedelta(hours=self._input.idle_close_hours)

    def _start_timer(self, name: str, at: datetime, summary: str) -> asyncio.Task[None]:
        async def ring() -> None:
            await workflow.sleep(max(at - workflow.now(), _MIN_TIMER), summary=summary)
            self._rang.append(name)

        return asyncio.create_task(ring())

    def _stop_timers(self) -> None:
        for timer in (self._idle_timer, self._sla_timer):
            if timer is not None and not timer.done():
                timer.cancel()

    def _should_continue_as_new(self) -> bool:
        return (
            workflow.info().is_continue_as_new_suggested()
            and self._pending is None
            and self._resume is None
            and not self._inbox
            and not self._human
        )

    def _carry(self) -> CaseInput:
        carried: CarriedCase = {
            "state": self._state,
            "status": self._status,
            "transcript": list(self._transcript),
            "handoff": self._handoff,
            "decided": list(self._decided),
            "approval_count": self._approval_count,
            "event_seq": self._event_seq,
            "draft": self._draft,
        }
        return self._input.model_copy(update={"carried": carried})

    def _on_timer(self, name: str) -> None:
        now = workflow.now()
        if name == "sla":
            if self._pending and not self._sla_escalated and now >= self._pending.due_at:
                self._sla_escalated = True
                self._escalate("the approval was not decided within its SLA")
                self._deliver(
                    templates.approval_overdue(
                        now + timedelta(minutes=self._input.approval_sla_minutes)
                    ),
                    reason="approval SLA expired",
                    role="system",
                )
        elif now >= self._idle_deadline():
            self._status = CaseStatus.CLOSED
            self._event("case.closed", "system", {"reason": "idle"})
        else:  # there was activity since the timer was set: wait for the rest
            self._idle_timer = self._start_timer("idle", self._idle_deadline(), _IDLE_SUMMARY)

    # --- a customer turn -----------------------------------------------------------------

    async def _handle_message(self, ticket: int, message: PostMessageInput) -> None:
        self._last_activity = workflow.now()
        # A code typed while one is awaited is kept as "[one-time code]": only the turn's
        # identity check reads the message as typed.
        said = hide_awaited_code(self._state, message.text)
        self._note("customer", said)
        if self._status is CaseStatus.AWAITING_APPROVAL and self._pending:
            replies = [
                self._reply(
                    templates.approval_pending(self._pending.due_at), "an approval is pending"
                )
            ]
        elif self._status is CaseStatus.ESCALATED:
            if self._handoff is not None:  # the person sees what the customer added
                self._handoff.added.append(said)
            replies = [self._reply(templates.WITH_A_PERSON, "the case is with a person")]
        else:
            first = await self._run_turn(message)
            replies = [first] if first is not None else []  # none while a person reviews
            # A second request waits while a shadow-mode draft does: a person answers first.
            if self._draft is None and (follow := self._next_request()) is not None:
                second = await self._run_turn(follow)
                replies += [second] if second is not None else []
        self._replies[ticket] = PostMessageResult(
            case_id=self._input.case_id, status=self._status, replies=replies
        )
        if self._input.deliver_replies and replies:  # nobody waits on the line: send them
            for entry in self._transcript[-len(replies) :]:
                if entry.text.strip():
                    self._send(entry)

    async def _run_turn(self, message: PostMessageInput) -> AgentReply | None:
        self._state["turn"] = int(self._state.get("turn", 0)) + 1
        turn_input: CaseState = {
            **self._state,
            "message": message.text,
            "approval_sla_minutes": self._input.approval_sla_minutes,
        }
        if message.identity:
            turn_input["identity_claim"] = message.identity
        if message.captured:  # a channel's hints; what the customer said wins
            hints = cast(CapturedState, message.captured)
            turn_input["captured"] = {**hints, **(self._state.get("captured") or CapturedState())}
        try:
            result = await self._app.ainvoke(turn_input, self._config)
        except ActivityError as err:
            workflow.logger.warning("turn failed: %s", err)
            self._escalate("the agent could not complete the turn")
            return self._reply(templates.TURN_FAILED, "an internal error; handed to a person")
        return self._absorb(result)

    def _absorb(self, result: dict[str, Any]) -> AgentReply | None:
        """Take the turn's result into the case; the reply to send, or None when it is a
        shadow-mode draft for a person."""
        interrupts = result.get("__interrupt__") or []
        self._state = cast(CaseState, {k: v for k, v in result.items() if k != "__interrupt__"})
        outcome = self._state.get("outcome", TurnOutcome.ASK)
        self._status = _STATUS_OF_OUTCOME.get(outcome, CaseStatus.AWAITING_CUSTOMER)
        if (
            outcome == TurnOutcome.ANSWER
            and self._nothing_done()
            and workflow.patched(_NOT_A_RESOLUTION)
        ):
            # A no to a proposal, or to an answer ("no, I only asked"), resolves nothing.
            self._status = CaseStatus.AWAITING_CUSTOMER
        if outcome == TurnOutcome.ESCALATE:
            decision = self._state.get("decision")
            self._escalate((decision.get("reasons") or ["handoff"])[0] if decision else "handoff")
        if interrupts:
            keep_latest_checkpoint(self._checkpoints, self._config)
            self._open_approval(interrupts[0].value)
        else:
            self._checkpoints.delete_thread(workflow.info().workflow_id)
        # The plugin keeps every activity node's result, keyed by its input, to skip work
        # after a continue-as-new; this case carries its own state across one instead, and
        # no node is ever called twice with the same input (the turn number is part of it).
        held = node_results()
        if held:
            held.clear()
        executed = self._state.get("executed", [])
        for record in executed[self._actions_logged :]:
            self._event("action." + record["status"], "agent", cast(JsonObject, dict(record)))
        self._actions_logged = len(executed)
        reply = self._state.get("reply")
        text, reason = (reply.get("text", ""), reply.get("reason")) if reply else ("", None)
        if self._state.get("shadow"):
            self._hold_draft(text, reason)
            return None
        return self._reply(text, reason)

    def _hold_draft(self, text: str, reason: str | None) -> None:
        """Keep the agent's reply as a draft for a person; a newer turn's draft replaces
        an unsent one (counted as superseded, not as agreement or disagreement)."""
        if self._draft is not None:
            self._event("shadow.superseded", "agent", self._draft_facts(self._draft))
        turn = int(self._state.get("turn") or 0)
        self._draft = ShadowDraft(
            draft_id=f"{self._input.case_id}/draft-{self._event_seq + 1}",
            turn=turn,
            category=self._state.get("category"),
            text=text,
            reason=reason,
            policy_version=self._state.get("policy_version"),
            drafted_at=workflow.now(),
        )
        self._event("shadow.drafted", "agent", self._draft_facts(self._draft))

    @staticmethod
    def _draft_facts(draft: ShadowDraft) -> JsonObject:
        return {
            "draft_id": draft.draft_id,
            "category": draft.category,
            "policy_version": draft.policy_version,
        }

    def _next_request(self) -> PostMessageInput | None:
        """The second request of a message that made two, once the first is resolved (done,
        answered, refused, declined or decided by an approver), as the next turn's message;
        None while the first is still open, with a person, or when none waits."""
        captured = self._state.get("captured") or {}
        if not captured.get("next_request") or self._state.get("proposal"):
            return None
        outcome = self._state.get("outcome")
        decision = self._state.get("decision")
        declined = decision is not None and decision.get("answer") == "declined"
        if declined and decision is not None and decision.get("ask_for") == CORRECTION:
            return None  # the declined proposal is put right first, with the customer
        if outcome not in ("answer", "executed", "refuse", "rejected") and not declined:
            return None
        if self._status in (CaseStatus.ESCALATED, CaseStatus.AWAITING_APPROVAL):
            return None
        if not workflow.patched(_NEXT_REQUEST):
            return None
        taken = next_request(captured)
        if taken is None:
            return None
        kept, text = taken
        self._state["captured"] = cast(CapturedState, dict(kept))
        return PostMessageInput(
            channel=self._input.channel, thread_id=self._input.thread_id, text=text
        )

    def _nothing_done(self) -> bool:
        decision = self._state.get("decision")
        return decision is not None and decision.get("answer") in ("declined", "acknowledged")

    # --- approvals -----------------------------------------------------------------------

    def _open_approval(self, request: ApprovalRequest) -> None:
        self._approval_count += 1
        risk = request.get("risk") or {}
        now = workflow.now()
        self._pending = PendingApproval(
            approval_id=f"{self._input.case_id}/approval-{self._approval_count}",
            action=request.get("action") or "",
            command=request.get("command") or {},
            summary=request.get("summary") or "",
            amount=Decimal(risk.get("amount") or "0"),
            tier=risk.get("tier", "approver"),
            risk=risk.get("risk", "medium"),
            rules=list(risk.get("rules") or []),
            reasons=list(risk.get("reasons") or []),
            four_eyes=bool(risk.get("four_eyes")),
            requested_at=now,
            due_at=now + timedelta(minutes=self._input.approval_sla_minutes),
        )
        self._sla_escalated = False
        self._sla_timer = self._start_timer(
            "sla", self._pending.due_at, f"approval SLA: escalate {self._pending.approval_id}"
        )
        self._event("approval.requested", "agent", self._pending.model_dump(mode="json"))

    @workflow.query
    def get_pending_approval(self) -> PendingApproval | None:
        return self._pending

    @workflow.update
    async def submit_approval(self, inp: SubmitApprovalInput) -> SubmitApprovalResult:
        pending = self._pending
        assert pending is not None  # the validator guarantees it
        who = inp.approver.username
        self._event(
            f"approval.{inp.decision}",
            who,
            {"approval_id": pending.approval_id, "note": inp.note, "role": inp.approver.role.value},
        )
        if inp.decision == "reject":
            self._close_approval(pending, "rejected", [who], inp.note)
            self._resume = {"decision": "reject", "note": inp.note, "approved_by": [who]}
            return SubmitApprovalResult(approval_id=pending.approval_id, status="rejected")
        approvals = [*pending.approvals, who]
        approved = min(
            a for a in (inp.amount, pending.approved_amount, pending.amount) if a is not None
        )
        partial = approved if approved < pending.amount else None
        if pending.four_eyes and len(approvals) < 2:
            self._pending = pending.model_copy(
                update={"approvals": approvals, "approved_amount": partial}
            )
            # The first of two approvals is recorded at once, so the queue and the audit
            # trail show it while the second is awaited. Cases that took a first approval
            # before this was so recorded it with their next step: they replay unchanged.
            if workflow.patched(_RECORD_FIRST_APPROVAL):
                self._record_due = True
            return SubmitApprovalResult(
                approval_id=pending.approval_id, status="needs_second_approval"
            )
        self._close_approval(pending, "approved", approvals, inp.note)
        self._resume = {
            "decision": "approve",
            "tier": pending.tier,
            "approved_by": approvals,
            "note": inp.note,
            "amount": str(partial) if partial is not None else None,
        }
        return SubmitApprovalResult(approval_id=pending.approval_id, status="approved")

    @submit_approval.validator
    def _validate_approval(self, inp: SubmitApprovalInput) -> None:
        # The decision must carry the web process's signature, bound to this case and
        # approval and unexpired at workflow time; then the approver's role and limit apply.
        try:
            check_submitted_approval(
                self._pending.facts() if self._pending else None,
                inp,
                case_id=self._input.case_id,
                trusted_keys=trusted_keys(),
                now=workflow.now().timestamp(),
            )
        except ApprovalRefused as refused:
            raise ApplicationError(str(refused), type=refused.kind) from None

    def _close_approval(
        self,
        pending: PendingApproval,
        status: Literal["approved", "rejected"],
        by: list[str],
        note: str | None,
    ) -> None:
        self._decided.append(
            {
                **cast(DecidedApproval, pending.model_dump(mode="json")),
                "status": status,
                "decided_by": by,
                "note": note,
                "decided_at": workflow.now().isoformat(),
            }
        )
        self._pending = None
        if self._sla_timer is not None and not self._sla_timer.done():
            self._sla_timer.cancel()

    async def _resume_after_approval(self) -> None:
        decision, self._resume = self._resume, None
        self._last_activity = workflow.now()
        try:
            result = await self._app.ainvoke(Command(resume=decision), self._config)
        except ActivityError as err:
            workflow.logger.warning("resume failed: %s", err)
            self._escalate("the approved action could not be completed")
            self._deliver(
                templates.APPROVED_ACTION_FAILED, reason="an internal error; handed to a person"
            )
            return
        reply = self._absorb(result)
        if reply is not None:
            self._deliver(reply.text, reason=reply.reason, already_noted=True)
        if self._draft is None and (follow := self._next_request()) is not None:
            reply = await self._run_turn(follow)
            if reply is not None:
                self._deliver(reply.text, reason=reply.reason, already_noted=True)

    # --- people --------------------------------------------------------------------------

    def _escalate(self, reason: str) -> None:
        captured = self._state.get("captured") or {}
        self._status = CaseStatus.ESCALATED
        record = handoff_fields(self._state.get("category"), captured)
        # Read by the turn only with the customer's `past_cases` consent (gather_context).
        earlier = (self._state.get("facts") or {}).get("earlier_cases")
        self._handoff = Handoff(
            reason=reason,
            category=record.category,
            customer_id=self._state.get("customer_id"),
            order_id=captured.get("order_id"),
            issue=record.issue,
            preferred_resolution=record.preferred_resolution,
            language=record.language,
            actions_taken=[f"{a['type']} {a['status']}" for a in self._state.get("executed", [])],
            tried=list(record.tried),
            created_at=workflow.now(),
            policy_version=self._state.get("policy_version"),
            earlier_cases=(
                [EarlierCase.model_validate(c) for c in earlier] if earlier is not None else None
            ),
        )
        self._event("case.escalated", "agent", self._handoff.model_dump(mode="json"))

    @workflow.update
    async def post_human_reply(self, inp: HumanReplyInput) -> str:
        self._human.append((HumanAction.REPLY, inp))
        return "queued"

    @post_human_reply.validator
    def _validate_human_reply(self, inp: HumanReplyInput) -> None:
        if self._status is CaseStatus.CLOSED:
            raise ApplicationError("the case is closed", type="CaseClosed")

    @workflow.update
    async def hand_back(self, inp: HandoffActionInput) -> str:
        self._human.append((HumanAction.HAND_BACK, inp))
        return "queued"

    @hand_back.validator
    def _validate_hand_back(self, inp: HandoffActionInput) -> None:
        if self._status is not CaseStatus.ESCALATED:
            raise ApplicationError("only an escalated case can be handed back", type="NotEscalated")

    @workflow.update
    async def close_case(self, inp: HandoffActionInput) -> str:
        self._human.append((HumanAction.CLOSE, inp))
        return "queued"

    @close_case.validator
    def _validate_close(self, inp: HandoffActionInput) -> None:
        if self._status is CaseStatus.CLOSED:
            raise ApplicationError("the case is already closed", type="CaseClosed")

    @workflow.update
    async def send_draft(self, inp: SendDraftInput) -> str:
        self._human.append((HumanAction.SEND_DRAFT, inp))
        return "queued"

    @send_draft.validator
    def _validate_send_draft(self, inp: SendDraftInput) -> None:
        if self._status is CaseStatus.CLOSED:
            raise ApplicationError("the case is closed", type="CaseClosed")
        if self._draft is None or self._draft.draft_id != inp.draft_id:
            raise ApplicationError("that draft is no longer waiting", type="StaleDraft")
        if any(k is HumanAction.SEND_DRAFT and i.draft_id == inp.draft_id for k, i in self._human):
            raise ApplicationError("that draft is already being sent", type="StaleDraft")

    async def _handle_human(self, kind: HumanAction, inp: Any) -> None:
        self._last_activity = workflow.now()
        if kind is HumanAction.SEND_DRAFT:
            draft = self._draft
            if draft is None or draft.draft_id != inp.draft_id:  # superseded meanwhile
                return
            self._draft = None
            # Agreement: the person sent what the agent drafted, word for word.
            agreed = inp.text.strip() == draft.text.strip()
            how = "as drafted" if agreed else "edited"
            self._event(
                "shadow.sent",
                inp.username,
                self._draft_facts(draft) | {"agreed": agreed},
            )
            self._deliver(inp.text, role="human", reason=f"draft sent {how} by {inp.username}")
        elif kind is HumanAction.REPLY:
            self._event("human.reply", inp.username, {"text": inp.text})
            self._deliver(inp.text, role="human", reason=f"reply from {inp.username}")
        elif kind is HumanAction.HAND_BACK:
            self._status = CaseStatus.OPEN
            self._event("case.handed_back", inp.username, {"note": inp.note})
        elif kind is HumanAction.CLOSE:
            self._status = CaseStatus.CLOSED
            self._event("case.closed", inp.username, {"note": inp.note})

    # --- customer messages ---------------------------------------------------------------

    @workflow.update
    async def post_message(self, message: PostMessageInput) -> PostMessageResult:
        self._tickets += 1
        ticket = self._tickets
        self._inbox.append((ticket, message))
        await workflow.wait_condition(lambda: ticket in self._replies)
        return self._replies.pop(ticket)

    @post_message.validator
    def _validate_message(self, message: PostMessageInput) -> None:
        if self._status is CaseStatus.CLOSED:
            raise ApplicationError("this conversation is closed", type="CaseClosed")

    @workflow.query
    def get_case(self) -> CaseView:
        return self._view()

    # --- helpers -------------------------------------------------------------------------

    def _note(self, role: str, text: str, reason: str | None = None) -> None:
        self._transcript.append(
            TranscriptEntry(
                seq=len(self._transcript) + 1,
                role=role,  # type: ignore[arg-type]
                text=text,
                at=workflow.now(),
                reason=reason,
            )
        )

    def _reply(self, text: str, reason: str | None) -> AgentReply:
        self._note("agent", text, reason)
        return AgentReply(text=text, reason=reason)

    def _deliver(
        self,
        text: str,
        *,
        reason: str | None = None,
        role: str = "agent",
        already_noted: bool = False,
    ) -> None:
        if not already_noted:
            self._note(role, text, reason)
        self._send(self._transcript[-1])

    def _send(self, entry: TranscriptEntry) -> None:
        """Queue a transcript entry for the channel's outbox (keyed by its seq); the step's
        `record_case` writes it."""
        self._outbox.append(
            DeliverMessageInput(
                case_id=self._input.case_id,
                channel=self._input.channel,
                thread_id=self._input.thread_id,
                message_id=f"{self._input.case_id}/msg-{entry.seq}",
                text=entry.text,
                reason=entry.reason,
                role=entry.role,  # type: ignore[arg-type]
            )
        )

    def _event(self, kind: str, actor: str, payload: JsonObject) -> None:
        version = self._state.get("policy_version")
        if actor == "agent" and version and "policy_version" not in payload:
            # Every decision the agent records names the policy version it was taken under.
            payload = {**payload, "policy_version": version}
        self._event_seq += 1
        self._events.append(
            {
                "event_id": f"{self._input.case_id}/event-{self._event_seq}",
                "kind": kind,
                "actor": actor,
                "payload": payload,
            }
        )

    async def _record(self) -> None:
        """Upsert search attributes that changed; write the case's projection, audit events
        and outgoing messages (a local activity: one marker in the history, and the step's
        reply leaves once the store has it)."""
        self._publish()
        if not (self._events or self._outbox) and self._recorded_len == len(self._transcript):
            return
        events, self._events = self._events, []
        outbox, self._outbox = self._outbox, []
        summary = f"record case ({self._status.value})"
        if outbox:
            seqs = ", ".join(m.message_id.rsplit("-", 1)[-1] for m in outbox)
            summary += f", queue message {seqs}"
        await workflow.execute_local_activity_method(
            CaseActivities.record_case,
            RecordCaseInput(view=self._view(), events=events, outbox=outbox),
            summary=summary,
            start_to_close_timeout=_RECORD_TIMEOUT,
            retry_policy=_RECORD_RETRY,
        )
        self._recorded_len = len(self._transcript)

    def _publish(self) -> None:
        if not self._input.publish_search_attributes:
            return
        risk = (self._pending.risk if self._pending else None) or (
            (self._state.get("risk") or {}).get("risk") or "low"
        )
        proposal = self._state.get("proposal")
        amount = (
            self._pending.amount
            if self._pending
            else Decimal((proposal.get("amount") if proposal else None) or "0")
        )
        values = (
            self._status.value,
            self._state.get("category") or "unknown",
            self._state.get("customer_id") or "",
            risk,
            _search_number(amount),
            self._input.channel,
        )
        if values == self._published:
            return
        self._published = values
        status, category, customer_id, risk, amount_value, channel = values
        workflow.upsert_search_attributes(
            [
                CASE_STATUS.value_set(status),
                CASE_CATEGORY.value_set(category),
                CUSTOMER_ID.value_set(customer_id),
                RISK_LEVEL.value_set(risk),
                AMOUNT.value_set(amount_value),
                CHANNEL.value_set(channel),
            ]
        )

    def _view(self) -> CaseView:
        decision = self._state.get("decision")
        return CaseView(
            case_id=self._input.case_id,
            channel=self._input.channel,
            thread_id=self._input.thread_id,
            status=self._status,
            category=self._state.get("category"),
            confidence=self._state.get("confidence"),
            customer_id=self._state.get("customer_id"),
            verified=bool(self._state.get("verified")),
            captured=cast(
                CapturedState,
                {
                    k: v
                    for k, v in (self._state.get("captured") or {}).items()
                    if k not in ("email", "first_name", "last_name", "zip")
                },
            ),
            pending_approval=self._pending,
            decided_approvals=list(self._decided),
            actions=[
                ActionView(
                    seq=a["seq"],
                    type=a["type"],
                    arguments=a["arguments"],
                    status=a["status"],
                    amount=Decimal(a["amount"]) if a.get("amount") else None,
                    idempotency_key=a["idempotency_key"],
                    summary=a.get("summary"),
                    error=a.get("error"),
                )
                for a in self._state.get("executed", [])
            ],
            transcript=list(self._transcript),
            handoff=self._handoff,
            last_reasons=list(decision.get("reasons") or []) if decision else [],
            token_usage=dict(self._state.get("usage") or {}),
            shadow_draft=self._draft,
            policy_version=self._state.get("policy_version"),
        )
