"""What the offline brain says to a customer who writes in another language.

The offline brain understands English only, so it does not pretend otherwise: it says,
in the customer's language, that a person will take over, and hands off with the
language in the record. One sentence per language the detector knows (`brain.language`);
the turn's templates fold these in.
"""

from __future__ import annotations

HANDOFF_IN_LANGUAGE: dict[str, str] = {
    "es": (
        "Gracias por su mensaje. Por ahora solo puedo atenderle en inglés, así que una "
        "persona de nuestro equipo continuará la conversación y le responderá en español."
    ),
    "fr": (
        "Merci pour votre message. Pour l'instant, je ne peux vous aider qu'en anglais : "
        "une personne de notre équipe va reprendre la conversation et vous répondre en français."
    ),
    "de": (
        "Danke für Ihre Nachricht. Ich kann Ihnen im Moment nur auf Englisch helfen, daher "
        "übernimmt eine Person aus unserem Team und antwortet Ihnen auf Deutsch."
    ),
    "pt": (
        "Obrigado pela sua mensagem. Por enquanto só consigo ajudar em inglês, por isso uma "
        "pessoa da nossa equipa vai continuar a conversa e responder-lhe em português."
    ),
    "it": (
        "Grazie per il suo messaggio. Al momento posso aiutarla solo in inglese, quindi una "
        "persona del nostro team prenderà in carico la conversazione e le risponderà in italiano."
    ),
}


def handoff_in_language(language: str) -> str | None:
    """The honest handoff sentence in `language`, or None for English and unknown languages."""
    return HANDOFF_IN_LANGUAGE.get(language)
