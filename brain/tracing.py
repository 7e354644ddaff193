"""A span around each brain call, with OpenTelemetry's GenAI semantic-convention attributes.

`traced_call` wraps one `Brain.understand` or `Brain.compose` call: the span is named
`chat <model>` and carries `gen_ai.system`, `gen_ai.operation.name`, `gen_ai.request.model`
and the tokens the call spent (`gen_ai.usage.*`, from the result's `TokenUsage`). Without a
configured tracer provider (tracing is off by default) the span is the API's no-op one.
The span holds no message text: only what kind of call it was and what it cost.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from opentelemetry import trace

from brain.base import Brain, Reply, Understanding

_Result = TypeVar("_Result", Understanding, Reply)

#: `gen_ai.system` of each brain (the offline brain is Trustdesk's own classifier).
SYSTEMS = {"claude": "anthropic", "offline": "trustdesk.offline"}


def brain_model(brain: Brain) -> str:
    return str(getattr(brain, "model", None) or brain.name)


async def traced_call(brain: Brain, step: str, call: Awaitable[_Result]) -> _Result:
    """Await `call` (the brain's `step`: understand or compose) inside a GenAI client span."""
    model = brain_model(brain)
    tracer = trace.get_tracer("trustdesk.brain")
    with tracer.start_as_current_span(
        f"chat {model}",
        kind=trace.SpanKind.CLIENT,
        attributes={
            "gen_ai.system": SYSTEMS.get(brain.name, brain.name),
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": model,
            "trustdesk.brain.step": step,
        },
    ) as span:
        result = await call
        usage = result.usage
        if usage is not None and span.is_recording():
            span.set_attributes(
                {
                    "gen_ai.usage.input_tokens": usage.input_tokens,
                    "gen_ai.usage.output_tokens": usage.output_tokens,
                    "gen_ai.usage.cache_read.input_tokens": usage.cache_read_tokens,
                    "gen_ai.usage.cache_creation.input_tokens": usage.cache_creation_tokens,
                }
            )
        return result
