"""One error base class, with a specific subclass for every way an action can be refused."""

from __future__ import annotations


class TrustdeskError(Exception):
    """Base of every error Trustdesk raises on purpose.

    `code` is a stable machine-readable name (used as the Temporal
    `ApplicationError.type` and in HTTP error bodies); the message is for people.
    """

    code = "trustdesk_error"


class NotFound(TrustdeskError):
    code = "not_found"


class CustomerNotFound(NotFound):
    code = "customer_not_found"


class OrderNotFound(NotFound):
    code = "order_not_found"


class ProductNotFound(NotFound):
    code = "product_not_found"


class VariantNotFound(NotFound):
    code = "variant_not_found"


class PaymentMethodNotFound(NotFound):
    """The payment method does not exist or does not belong to the order's customer."""

    code = "payment_method_not_found"


class ActionRefused(TrustdeskError):
    """A precondition of a retail action does not hold."""

    code = "action_refused"


class WrongOrderStatus(ActionRefused):
    code = "wrong_order_status"


class InvalidReason(ActionRefused):
    code = "invalid_reason"


class ItemNotInOrder(ActionRefused):
    code = "item_not_in_order"


class ItemCountMismatch(ActionRefused):
    code = "item_count_mismatch"


class SameItem(ActionRefused):
    code = "same_item"


class ProductMismatch(ActionRefused):
    code = "product_mismatch"


class VariantUnavailable(ActionRefused):
    code = "variant_unavailable"


class InsufficientGiftCardBalance(ActionRefused):
    code = "insufficient_gift_card_balance"


class PaymentMethodNotAllowed(ActionRefused):
    code = "payment_method_not_allowed"


class RefundExceedsPaid(ActionRefused):
    """A refund would return more than the order still holds."""

    code = "refund_exceeds_paid"


class ReturnWindowClosed(ActionRefused):
    """The items were delivered longer ago than the shop's return window allows."""

    code = "return_window_closed"


class PaymentHistoryConflict(ActionRefused):
    code = "payment_history_conflict"


class IdempotencyConflict(TrustdeskError):
    """The same idempotency key was used with different arguments."""

    code = "idempotency_conflict"


class PolicyViolation(TrustdeskError):
    """The shop's policy forbids the action outright."""

    code = "policy_violation"


class InvalidMoney(TrustdeskError):
    code = "invalid_money"


class ConfigError(TrustdeskError):
    code = "config_error"


class NotYourOrder(ActionRefused):
    """The order belongs to another customer than the one verified in this conversation."""

    code = "not_your_order"


class ApprovalRequired(PolicyViolation):
    """The action is above the automatic limit and no sufficient approval was given."""

    code = "approval_required"
