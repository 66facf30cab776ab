"""Search keys: names folded for case, accents and transliteration variants.

Both the stored names and the text searched for are folded the same way, and a search
matches when its folded text occurs in the folded names. The folds join the spellings that
English, Azerbaijani, Turkish and Russian sources use for the same name:

    ə → a        Əliyev, Aliyev                 c, j → c     Oruc, Oruj
    ş → sh       Şahin, Shahin                  kh, x → x    Khojaly, Xocalı
    ç → ch       Çingiz, Chingiz                q → g        Quliyev, Guliyev
    ğ, gh → g    Erdoğan, Erdogan; Ağazadə      y → i        Aliyev, Aliev; Suleymanov,
                                                             Suleimanov
then any other accent is dropped (anyascii), doubled letters are kept once (Mammadov,
Mamadov) and everything that is not a letter or digit becomes a single space.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from anyascii import anyascii

# Letters whose usual English spelling is not what dropping the accent gives.
_LETTERS = str.maketrans({"ə": "a", "Ə": "a", "ı": "i", "İ": "i", "ş": "sh", "Ş": "sh",
                          "ç": "ch", "Ç": "ch", "ğ": "gh", "Ğ": "gh"})  # fmt: skip
_VARIANTS = [("kh", "x"), ("gh", "g"), ("j", "c"), ("q", "g"), ("y", "i")]
_DOUBLED = re.compile(r"([a-z])\1+")
_OTHER = re.compile(r"[^a-z0-9]+")

#: Between the folded names of one row, so that a search cannot match across two of them.
SEPARATOR = " | "


def fold(text: str) -> str:
    """`text` as the search compares it: "İlham Əliyev" and "Ilham Aliev" both give
    "ilham aliev"."""
    text = anyascii(unicodedata.normalize("NFKC", text).translate(_LETTERS)).lower()
    for spelling, common in _VARIANTS:
        text = text.replace(spelling, common)
    return _OTHER.sub(" ", _DOUBLED.sub(r"\1", text)).strip()


def search_name(names: Iterable[str | None]) -> str:
    """What a row stores to be searched by: each of its names folded."""
    return SEPARATOR.join(fold(name) for name in names if name)
