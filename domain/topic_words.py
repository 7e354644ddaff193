"""The topic of a message written in another language, from the words it uses. Pure.

The offline brain reads English only: a message in Spanish, French, German, Portuguese,
Italian, Dutch, Polish, Swedish, Danish or Turkish is handed to a person, and its English
reading says nothing about its topic. The handoff record still files it under one, so the
person who reads the language starts from it: the words below are the ones customers use
for each request in those languages. Accents are ignored ("endereço" and "endereco" are one
word); the first topic whose words appear wins, the most specific requests first.
"""

from __future__ import annotations

import re
import unicodedata

from domain.dialogue import Category


def _words(*words: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(words) + r")", re.IGNORECASE)


_ADDRESS = (
    "direccion",
    "domicilio",
    "adresse",
    "anschrift",
    "endereco",
    "morada",
    "indirizzo",
    "adres\\b",
    "bezorgadres",
    "adress",
    "adresu",
    "adresi",
)
_ACCOUNT = _words("cuenta", "perfil", "compte", "konto", "profil", "conta", "account")

# In order: the first topic whose words the message holds is its topic.
_TOPICS: tuple[tuple[Category, re.Pattern[str]], ...] = (
    (
        Category.CANCEL_ORDER,
        _words(
            "cancel", "anul", "annul", "storn", "abbestell", "disdir", "avbest", "avbryt",
            "afbestil", "iptal"
        ),
    ),
    (Category.CHANGE_ADDRESS, _words(*_ADDRESS)),
    (
        Category.CHANGE_PAYMENT,
        _words(
            "metodo de pago",
            "forma de pago",
            "tarjeta",
            "moyen de paiement",
            "carte",
            "zahlungs",
            "karte",
            "forma de pagamento",
            "cartao",
            "metodo di pagamento",
            "carta",
            "betaalmethode",
            "betaalwijze",
            "platnos",
            "karta",
            "betalning",
            "betaling",
            "odeme",
        ),
    ),
    (
        Category.RETURN,
        _words(
            "devolv",
            "devoluc",
            "devolu",
            "retourn",
            "retour",
            "renvoy",
            "zuruckschick",
            "zurucksend",
            "rucksend",
            "retoure",
            "zuruckgeb",
            "restitu",
            "reso\\b",
            "rendere",
            "terugstur",
            "terug te sturen",
            "terugzend",
            "zwrot",
            "zwroc",
            "returnera",
            "returnere",
            "skicka tillbaka",
            "sende tilbage",
            "iade",
        ),
    ),
    (
        Category.EXCHANGE,
        _words(
            "cambi", "echang", "umtausch", "tausch", "troc", "sostitu", "scambi", "ruil", "omruil",
            "wymian", "wymien", "byta\\b", "byte\\b", "bytte", "ombyt", "degis"
        ),
    ),
    (
        Category.REFUND_STATUS,
        _words(
            "reembols",
            "rembours",
            "ruckerstatt",
            "erstattung",
            "geld zuruck",
            "rimbors",
            "terugbetal",
            "geld terug",
        ),
    ),
    (
        Category.COMPLAINT,
        _words(
            "problem",
            "rot[oa]\\b",
            "danad",
            "defectuos",
            "queja",
            "reclam",
            "casse",
            "endommag",
            "defectueu",
            "plainte",
            "kaputt",
            "beschadigt",
            "defekt",
            "beschwerde",
            "quebrad",
            "danificad",
            "defeituos",
            "rott[oa]\\b",
            "danneggiat",
            "difettos",
            "kapot",
            "beschadigd",
            "klacht",
            "uszkodzon",
            "zepsut",
            "reklam",
            "trasig",
            "skadad",
            "beskadig",
            "bozuk",
            "hasarl",
            "sikayet",
        ),
    ),
    (
        Category.ORDER_STATUS,
        _words(
            "donde esta",
            "estado de",
            "llegad",
            "seguimiento",
            "rastreo",
            "ou en est",
            "ou est",
            "en est\\b",
            "livraison",
            "suivi",
            "arrive",
            "wo ist",
            "wo bleibt",
            "lieferung",
            "angekommen",
            "sendungsverfolgung",
            "onde esta",
            "chegou",
            "entrega",
            "rastreio",
            "rastreamento",
            "dov.e",
            "arrivat",
            "tracciamento",
            "waar is",
            "waar blijft",
            "aangekomen",
            "bezorgd",
            "gdzie jest",
            "przesy",
            "var ar",
            "sparning",
            "hvor er",
            "sporing",
            "nerede",
            "takip",
        ),
    ),
    (
        Category.PRODUCT_QUESTION,
        _words(
            "disponib",
            "talla",
            "taille",
            "verfugbar",
            "vorratig",
            "tamanho",
            "taglia",
            "beschikbaar",
            "op voorraad",
        ),
    ),
    (
        Category.POLICY_QUESTION,
        _words(
            "envio",
            "enviar",
            "garantia",
            "politica",
            "plazo",
            "cuesta",
            "cuanto",
            "livraison",
            "livrez",
            "garantie",
            "politique",
            "delai",
            "combien",
            "frais",
            "versand",
            "liefern sie",
            "kosten",
            "wie lange",
            "wie viel",
            "entrega",
            "frete",
            "prazo",
            "quanto",
            "spedizion",
            "spedite",
            "garanzia",
            "quanto costa",
            "verzend",
            "levertijd",
            "hoe lang",
            "hoeveel",
            "wysy",
            "ile kosztuje",
            "gwarancj",
            "frakt",
            "garanti",
            "hur lang",
            "fragt",
            "hvor lang",
        ),
    ),
)


def plain(text: str) -> str:
    """`text` in lower case without accents: "Endereço" → "endereco", "Rücksendung" →
    "rucksendung"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def topic_in_words(text: str) -> Category | None:
    """The request a message in one of the shop's other languages is about; None when its
    words name none. An address with an account word is the account's address."""
    said = plain(text)
    for topic, words in _TOPICS:
        if words.search(said):
            if topic is Category.CHANGE_ADDRESS and _ACCOUNT.search(said):
                return Category.ACCOUNT_ADDRESS
            return topic
    return None
