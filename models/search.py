"""Search keys: names folded for case, accents and transliteration variants.

Both the stored names and the text searched for are folded the same way, and a search
matches when its folded text occurs in the folded names. The folds join the spellings that
English, Azerbaijani, Turkish and Russian sources use for the same name, whichever of them
is stored and whichever is typed:

    ə, e → a        Əliyev, Aliyev; Elçibəy,       kh, x → x     Khojaly, Xocalı
                    Elchibey
    ı, İ → i        Hacıyeva, Hajiyeva             q → g         Quliyev, Guliyev
    ş, sh → s       Lukaşenko, Lukashenko          y → i         Aliyev, Aliev;
    ç, ch, c, j → c Oruç, Oruc, Oruj; Elçibəy,                   Suleymanov, Suleimanov
                    Elchibey
    ğ, gh → g       Erdoğan, Erdogan; Ağazadə
    ö → o, ü → u    Şövkət, Shovket; Hüseynov, Huseynov

then any other accent is dropped (anyascii), doubled letters are kept once (Mammadov,
Mamadov) and everything that is not a letter or digit becomes a single space. The c class
and the a class are wide on purpose: Azerbaijani c is English j (Oruc, Oruj), ç is English
ch (Elçibəy, Elchibey), and a name ending in one is often spelled with the other (Oruç);
English writes ə as a in some names (Aliyev, Mammadov) and as e in others (Elchibey,
Shovket), so a search for either letter finds both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from anyascii import anyascii

# Letters whose usual English spelling is not what dropping the accent gives.
_LETTERS = str.maketrans({"ə": "a", "Ə": "a", "ı": "i", "İ": "i", "ş": "s", "Ş": "s",
                          "ç": "c", "Ç": "c", "ğ": "g", "Ğ": "g"})  # fmt: skip
# In this order: "kh" before "sh" and "ch" leaves Khojaly's "x" alone.
_VARIANTS = [("kh", "x"), ("sh", "s"), ("ch", "c"), ("gh", "g"), ("j", "c"), ("q", "g"),
             ("y", "i"),
             ("e", "a")]  # fmt: skip
_DOUBLED = re.compile(r"([a-z])\1+")
_OTHER = re.compile(r"[^a-z0-9]+")

#: Between the folded names of one row, so that a search cannot match across two of them.
SEPARATOR = " | "


def fold(text: str) -> str:
    """`text` as the search compares it: "İlham Əliyev" and "Ilham Aliev" both give
    "ilham aliav"."""
    text = anyascii(unicodedata.normalize("NFKC", text).translate(_LETTERS)).lower()
    for spelling, common in _VARIANTS:
        text = text.replace(spelling, common)
    return _OTHER.sub(" ", _DOUBLED.sub(r"\1", text)).strip()


def search_name(names: Iterable[str | None]) -> str:
    """What a row stores to be searched by: each of its names folded."""
    return SEPARATOR.join(fold(name) for name in names if name)
