"""What a customer agreed the agent may use beyond what a request needs.

Two memories are kept apart. *Session memory* is what this conversation gathered (the
case state's `captured`): it serves the request and ends with the case. *Profile memory*
is what the store holds across cases: the customer's profile and their past cases. The
agent always reads the profile fields a request needs (who is asking, their orders and
payment methods); anything beyond that waits for the customer's consent:

* `personalisation`: the profile may shape the wording (the brain is given the
  customer's first name to address them by);
* `marketing`: the customer may be told about offers;
* `past_cases`: earlier conversations may be read to help with this one.

Without a recorded choice every flag is off.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

#: The flags, in the order pages show them, with what each allows in plain words.
CONSENT_FLAGS: dict[str, str] = {
    "personalisation": "use the profile to personalise replies (e.g. address by first name)",
    "marketing": "tell the customer about offers",
    "past_cases": "read the customer's earlier conversations to help with a new one",
}


@dataclass(frozen=True)
class Consent:
    personalisation: bool = False
    marketing: bool = False
    past_cases: bool = False

    def as_document(self) -> dict[str, bool]:
        return asdict(self)
