"""Property-based fuzzing of every route in the OpenAPI schema, through the real worker.

Hypothesis draws requests (random and malformed JSON, raw bytes, wrong content types,
huge, unicode and control-character strings, garbage and valid bearer tokens) for
each path and method the app publishes. Each answer must be below 500, and a 4xx
must say why. At the end no workflow on the worker's task queue may have failed.

The drawing is derandomized with a fixed number of examples, so every run sends the
same requests: a failure reproduces, and the suite's time is known.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import Web
from tests.waiting import wait_until

EXAMPLES_PER_ROUTE = 25

# Strings a hostile client sends: empty, unicode from every plane, control characters,
# lone surrogates' neighbours, very long ones (beyond every limit, including the body's).
WEIRD = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.text(st.characters(min_codepoint=0, max_codepoint=31), min_size=1, max_size=10),
    st.sampled_from(["", " ", "\x00", "../../etc/passwd", "%00", "null", "' OR 1=1 --",
                     "<script>alert(1)</script>", "محمد", "李雷", "\u202e", "😀" * 50]),
    st.builds(lambda c, n: c * n, st.sampled_from(["a", "é", "😀", "\x00"]),
              st.sampled_from([1_000, 70_000])),
)  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | WEIRD,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(WEIRD, inner, max_size=4),
    max_leaves=8,
)
CONTENT_TYPES = [
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/json; charset=latin-1",
]
HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60)


@dataclass
class Drawn:
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    auth: str = "none"
    content: bytes | None = None


def _fields(path: str) -> dict[str, st.SearchStrategy[Any]]:
    """Plausible-looking bodies for each route, with hostile values in every field."""
    if path == "/api/messages":
        return {
            "channel": st.sampled_from(["webchat", "email", "sms"]) | WEIRD,
            "thread_id": WEIRD,
            "text": WEIRD,
            "customer": st.none() | st.fixed_dictionaries({"email": WEIRD, "token": WEIRD}),
        }
    if path.endswith("/approval"):
        return {
            "decision": st.sampled_from(["approve", "reject"]) | WEIRD,
            "amount": st.sampled_from(["1e400", "-1", "NaN", "0.001", "9" * 30]) | JSON,
            "approval_id": WEIRD,
            "note": WEIRD,
        }
    if path == "/api/auth/token":
        return {"username": WEIRD, "password": WEIRD}
    return {"text": WEIRD}


def _body(path: str) -> st.SearchStrategy[bytes | None]:
    shaped = st.fixed_dictionaries({}, optional=_fields(path)).map(
        lambda d: json.dumps(d, ensure_ascii=False).encode("utf-8", "surrogatepass")
    )
    anything = JSON.map(lambda v: json.dumps(v).encode())
    raw = st.binary(max_size=200) | st.sampled_from(
        [b"{", b'{"text": "a"', b"\xff\xfe", b"[" * 5000, b'{"a":' * 3000 + b"1" + b"}" * 3000]
    )
    return st.none() | shaped | anything | raw


def _requests(method: str, path: str, operation: dict[str, Any]) -> st.SearchStrategy[Drawn]:
    params = operation.get("parameters", [])

    @st.composite
    def draw(d: st.DrawFn) -> Drawn:
        url = path
        query: dict[str, str] = {}
        headers: dict[str, str] = {}
        for p in params:
            value = d(WEIRD | st.sampled_from(["1", "-1", "0", "99999999999999999999", "resolved"]))
            value = value[:300]  # longer URLs are refused by the HTTP client before they leave
            if p["in"] == "path":
                url = url.replace("{" + p["name"] + "}", quote(value, safe="") or "%20")
            elif p["in"] == "query" and d(st.booleans()):
                query[p["name"]] = value
            elif p["in"] == "header" and d(st.booleans()):
                headers[p["name"]] = d(HEADER_TEXT)
        headers["Content-Type"] = d(st.sampled_from(CONTENT_TYPES) | HEADER_TEXT)
        content = d(_body(path)) if "requestBody" in operation else None
        auth = d(st.sampled_from(["none", "garbage", "agent", "approver"]))
        return Drawn(method.upper(), url, query, headers, auth, content)

    return draw()


def _collect(strategy: st.SearchStrategy[Drawn]) -> list[Drawn]:
    drawn: list[Drawn] = []

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def keep(request: Drawn) -> None:
        drawn.append(request)

    keep()
    return drawn


async def test_every_public_endpoint_answers_hostile_input_with_a_reason(web: Web) -> None:
    web.add_user("fuzz-agent", "agent")
    web.add_user("fuzz-approver", "approver", "500")
    tokens = {
        "none": None,
        "garbage": "Bearer " + "x" * 40,
        "agent": f"Bearer {await web.token('fuzz-agent')}",
        "approver": f"Bearer {await web.token('fuzz-approver')}",
    }
    schema = (await web.http.get("/openapi.json")).json()
    sent = 0
    failures: list[str] = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for request in _collect(_requests(method, path, operation)):
                headers = dict(request.headers)
                if tokens[request.auth]:
                    headers["Authorization"] = tokens[request.auth]  # type: ignore[assignment]
                response = await web.http.request(
                    request.method, request.path, params=request.query,
                    headers=headers, content=request.content,
                )  # fmt: skip
                sent += 1
                where = f"{request.method} {request.path[:80]!r} ({response.status_code})"
                if response.status_code >= 500:
                    failures.append(f"{where}: {response.text[:200]}")
                elif response.status_code >= 400:
                    try:
                        reason = response.json().get("detail")
                    except (ValueError, AttributeError):
                        reason = None
                    if not reason:
                        failures.append(f"{where}: refused without a reason: {response.text[:200]}")
    summary = "\n".join(failures[:20])
    assert not failures, f"{len(failures)} of {sent} requests:\n{summary}"
    assert sent >= EXAMPLES_PER_ROUTE * 5

    client = web.harness.client
    queue = web.harness.task_queue

    async def settled() -> bool:
        running = client.list_workflows(f"TaskQueue = '{queue}' AND ExecutionStatus = 'Running'")
        async for wf in running:
            described = await client.get_workflow_handle(wf.id).describe()
            if described.raw_description.pending_activities:
                return False
        return True

    await wait_until(settled, timeout=60, what="no activity in flight")
    failed = [
        wf.id
        async for wf in client.list_workflows(
            f"TaskQueue = '{queue}' AND ExecutionStatus IN ('Failed', 'TimedOut', 'Terminated')"
        )
    ]
    assert failed == []
