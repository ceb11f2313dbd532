"""French as a reader expects it: alphabetical order that ignores accents and case, and the
elision of "de" before a vowel ("bassin d'Orléans", "bassin de Montargis").

The sort key is computed in Python (unicodedata), never by the database's collation: SQLite
sorts bytes and PostgreSQL's collations differ from one installation to the next, so a key
stored beside the name gives the same order on both.
"""

from __future__ import annotations

import re
import unicodedata

# Letters a French reader folds into two (« Œuvre » is filed under "oe").
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
# Hyphens, apostrophes and runs of spaces count as one space: "Saint-Denis" files as
# "saint denis", "L'Hôpital" as "l hopital".
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—'’ʼ.]+")
# "de" elides before a vowel sound; an initial h is left out on purpose: in the Loiret's
# place names it is as often aspirated as mute, and "de H…" is never wrong.
_DE_BEFORE_VOWEL = re.compile(r"\b([Dd])e (?=[aeiouyàâäéèêëîïôöùûüÿœæAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŸŒÆ])")


def sort_key(*parts: str | None) -> str:
    """A key that sorts French names as a dictionary does: accents, case, ligatures and
    punctuation ignored ("Boësses" before "Boynes", "Chécy" before "Chuelles")."""
    words = []
    for part in parts:
        if not part:
            continue
        text = unicodedata.normalize("NFKD", part.translate(_LIGATURES))
        text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
        words.append(_SEPARATORS.sub(" ", text).strip())
    # A unit separator between parts: "Le Roy, Anne" sorts before "Leroy, Anne" as in a directory.
    return "\x1f".join(words)


def sorted_french(items, key=lambda item: item):
    """Items in French alphabetical order of key(item)."""
    return sorted(items, key=lambda item: sort_key(key(item)))


def elide(text: str) -> str:
    """French text with "de" elided before a vowel: "bassin de Orléans" becomes "bassin
    d'Orléans", "de Montargis" stays. Applied to a whole translated sentence once its names are
    in: correct French never keeps "de" before a vowel, so nothing else changes. Markup stays
    Markup."""
    from markupsafe import Markup

    elided = _DE_BEFORE_VOWEL.sub(r"\1'", str(text))
    # Already-escaped Markup in, the same text with "d'" for "de " out: nothing unescaped added.
    return Markup(elided) if isinstance(text, Markup) else elided  # nosec B704


def sort_key_column_type(length: int = 200):
    """The stored sort key's type: compared byte by byte on both databases (SQLite's default,
    PostgreSQL's "C" collation), so that the key alone decides the order."""
    from sqlalchemy import String

    return String(length).with_variant(String(length, collation="C"), "postgresql")
