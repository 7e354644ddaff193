"""How Trustdesk's processes turn Temporal payloads into Python values: pydantic's JSON, as
`temporalio.contrib.pydantic` does, with one cache of type adapters for the process.

The SDK builds a payload converter for every workflow it runs, and pydantic's converter
builds and caches a `TypeAdapter` for every type it reads (the case's input, each update's
input, each activity's output). Per workflow, that cache held about 9 KB in every cached
case and rebuilt the same adapters, core schemas included, for every new case. An adapter
depends on its type only and is never changed once built, so one cache serves every
workflow on every thread.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import TypeAdapter
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)

#: Distinct types read: a few dozen in the product. A workflow whose own module the sandbox
#: imports afresh brings new classes with every run; the bound lets theirs go.
ADAPTERS_KEPT = 256


@functools.lru_cache(maxsize=ADAPTERS_KEPT)
def _adapter(type_hint: Any) -> TypeAdapter[Any]:
    return TypeAdapter(type_hint)


class SharedAdaptersJSONConverter(PydanticJSONPlainPayloadConverter):
    """Pydantic JSON, reading with the process's cache of type adapters."""

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        hint: Any = Any if type_hint is None else type_hint
        try:
            hash(hint)
        except TypeError:  # a hint that cannot be a cache key is read without one
            return TypeAdapter(hint).validate_json(payload.data)
        return _adapter(hint).validate_json(payload.data)


class SharedAdaptersPayloadConverter(CompositePayloadConverter):
    """The SDK's default converters, with JSON read and written by pydantic through the
    process's cache of type adapters."""

    def __init__(self) -> None:
        json = SharedAdaptersJSONConverter()
        super().__init__(
            *(
                json if isinstance(c, JSONPlainPayloadConverter) else c
                for c in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )
