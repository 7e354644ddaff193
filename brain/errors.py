"""Errors a brain raises, each saying whether trying the same call again can help.

Trustdesk's brains never retry on their own; Temporal retries the activity that
called them. A retryable error is left to the activity's retry policy, a
non-retryable one fails the activity at once: `NON_RETRYABLE_BRAIN_ERRORS` holds
the failure types (Temporal names a failure after its exception's class) that
the graph's retry policies list as final.
"""

from __future__ import annotations

from domain.errors import TrustdeskError


class BrainError(TrustdeskError):
    code = "brain_error"
    retryable = True


class BrainUnavailable(BrainError):
    """The model service is rate-limited, overloaded, failing or slow; later may work."""

    code = "brain_unavailable"
    retryable = True


class BrainRequestRejected(BrainError):
    """The service refused the request itself (bad request, key, permission, model):
    sending it again fails the same way."""

    code = "brain_request_rejected"
    retryable = False


class BrainOutputInvalid(BrainError):
    """The model answered without the required tool call, or with input its schema forbids.

    Retryable: sampling differs between calls, and the activity's retry policy bounds
    the attempts.
    """

    code = "brain_output_invalid"
    retryable = True


NON_RETRYABLE_BRAIN_ERRORS: tuple[str, ...] = (BrainRequestRejected.__name__,)
