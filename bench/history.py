"""Reading a workflow history the way the latency bench needs it: per update, what ran.

A history is cut into one segment per accepted update (`post_message`,
`submit_approval`, …). A segment starts at the workflow task that carried the
update in (the first one: where the workflow started, since update-with-start sends
both at once) and ends where the next one starts; its *reply* is the update's
completion. For each segment this module lists the activities that completed
before the reply (the caller waited for them) and the ones that did not (scheduled
with the reply or after it), counts the local activities recorded with the reply
(a workflow task that schedules a local activity is reported only once it is done,
so the reply waited for them too), counts the search-attribute upserts, and splits the
time until the reply, from the server's own event timestamps, into waiting for and
running workflow tasks and activities.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

_E = EventType
_UPDATE_ACCEPTED = _E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
_UPDATE_COMPLETED = _E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED
_WFT_SCHEDULED = _E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED
_WFT_COMPLETED = _E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
_ACT_SCHEDULED = _E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
_ACT_COMPLETED = _E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
_UPSERT = _E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
_MARKER = _E.EVENT_TYPE_MARKER_RECORDED


def event_type_name(event: HistoryEvent) -> str:
    """`ActivityTaskScheduled` for `EVENT_TYPE_ACTIVITY_TASK_SCHEDULED`, and so on."""
    raw = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")
    return "".join(part.capitalize() for part in raw.split("_"))


def _seconds(event: HistoryEvent) -> float:
    return event.event_time.ToNanoseconds() / 1e9


@dataclass
class Segment:
    """One update's share of a history."""

    update: str
    events: int = 0
    activities_before_reply: list[str] = field(default_factory=list)
    activities_after_reply: list[str] = field(default_factory=list)
    #: Local activities (markers) recorded before the reply or in the workflow task sending it.
    local_activities_with_reply: int = 0
    upserts: int = 0
    #: Seconds, server clock: from the workflow task that carried the update in to its reply.
    until_reply: float | None = None
    #: Of which: activities waiting to be picked up, and running (before the reply).
    activity_wait: float = 0.0
    activity_run: float = 0.0
    #: Of which: workflow tasks waiting to be picked up, and running (before the reply).
    workflow_task_wait: float = 0.0
    workflow_task_run: float = 0.0
    #: Seconds each activity before the reply ran (started → completed), by activity name.
    activity_runs: dict[str, float] = field(default_factory=dict)
    #: Seconds from the segment's start until each activity completed, by activity name.
    completed_at: dict[str, float] = field(default_factory=dict)


@dataclass
class HistoryShape:
    """What a case's history is made of."""

    events: int
    by_type: dict[str, int]
    segments: list[Segment]

    def to_json(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "by_type": self.by_type,
            "segments": [asdict(s) for s in self.segments],
        }

    def first(self, update: str) -> Segment:
        """The first segment of this update."""
        for segment in self.segments:
            if segment.update == update:
                return segment
        raise KeyError(update)


def _not_waited_for(part: Sequence[HistoryEvent], waited: Sequence[str]) -> list[str]:
    """Activities scheduled in this segment that had not completed when the reply went out."""
    scheduled = [_activity_name(e) for e in part if e.event_type == _ACT_SCHEDULED]
    done = Counter(waited)
    pending: list[str] = []
    for name in scheduled:
        if done[name]:
            done[name] -= 1
        else:
            pending.append(name)
    return pending


def _activity_name(event: HistoryEvent) -> str:
    return event.activity_task_scheduled_event_attributes.activity_type.name


def _segment_starts(events: Sequence[HistoryEvent]) -> list[tuple[int, str, str]]:
    """(index where the segment starts, update name, update id), one per accepted update."""
    starts: list[tuple[int, str, str]] = []
    last_wft_scheduled = 0
    for i, event in enumerate(events):
        if event.event_type == _WFT_SCHEDULED:
            last_wft_scheduled = i
        elif event.event_type == _UPDATE_ACCEPTED:
            request = event.workflow_execution_update_accepted_event_attributes.accepted_request
            begin = 0 if not starts else last_wft_scheduled
            starts.append((begin, request.input.name, request.meta.update_id))
    return starts


def analyse_history(events: Sequence[HistoryEvent]) -> HistoryShape:
    """Cut a history into per-update segments and time what happened before each reply."""
    by_type = Counter(event_type_name(e) for e in events)
    starts = _segment_starts(events)
    if not starts:
        return HistoryShape(len(events), dict(by_type), [])
    by_id = {e.event_id: e for e in events}
    segments: list[Segment] = []
    for k, (begin, name, update_id) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(events)
        part = events[begin:end]
        segment = Segment(update=name, events=len(part))
        t0 = _seconds(part[0])
        replied = False
        sent = False  # past the workflow task that carried the reply
        for event in part:
            kind = event.event_type
            if kind == _WFT_SCHEDULED and replied:
                sent = True
            elif kind == _MARKER and not sent:
                segment.local_activities_with_reply += 1
            elif kind == _UPDATE_COMPLETED:
                meta = event.workflow_execution_update_completed_event_attributes.meta
                if meta.update_id == update_id:
                    replied = True
                    segment.until_reply = _seconds(event) - t0
            elif kind == _UPSERT:
                segment.upserts += 1
            elif kind == _ACT_COMPLETED:
                attrs = event.activity_task_completed_event_attributes
                scheduled = by_id[attrs.scheduled_event_id]
                started = by_id[attrs.started_event_id]
                name = _activity_name(scheduled)
                segment.completed_at.setdefault(name, _seconds(event) - t0)
                if not replied:
                    segment.activities_before_reply.append(name)
                    segment.activity_wait += _seconds(started) - _seconds(scheduled)
                    segment.activity_run += _seconds(event) - _seconds(started)
                    segment.activity_runs[name] = _seconds(event) - _seconds(started)
            elif kind == _WFT_COMPLETED and not replied:
                task = event.workflow_task_completed_event_attributes
                scheduled = by_id[task.scheduled_event_id]
                started = by_id[task.started_event_id]
                segment.workflow_task_wait += _seconds(started) - _seconds(scheduled)
                segment.workflow_task_run += _seconds(event) - _seconds(started)
        segment.activities_after_reply = _not_waited_for(part, segment.activities_before_reply)
        segments.append(segment)
    return HistoryShape(len(events), dict(by_type), segments)
