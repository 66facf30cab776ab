"""Country codes: an argument that must be ISO 3166-1 alpha-2, refused with the code meant."""

from __future__ import annotations

import re

import pycountry

from service.errors import ClientError

_ALPHA_2 = re.compile(r"[A-Z]{2}", re.ASCII)

#: No country's name or code is longer; a longer text is not looked up.
_LONGEST_NAME = 100


def alpha_2(code: str, argument: str) -> str:
    """`code` in upper case without the spaces around it, if it has the form of an ISO 3166-1
    alpha-2 code (known or not); else a ClientError naming `argument` and, where `code` is a
    country's name or alpha-3 code, the alpha-2 code meant."""
    found = code.strip().upper()
    if _ALPHA_2.fullmatch(found):
        return found
    shown = f'"{code[:40]}…"' if len(code) > 40 else f'"{code}"'
    message = f"{argument}: {shown} is not an ISO 3166-1 alpha-2 code"
    country = None
    if 0 < len(code.strip()) <= _LONGEST_NAME and "\0" not in code:
        try:
            country = pycountry.countries.lookup(code.strip())
        except LookupError:
            country = None
    if country is not None:
        raise ClientError(f'{message}; {country.name}\'s is "{country.alpha_2}".')
    raise ClientError(f'{message}: give two letters, e.g. "AZ" for Azerbaijan.')
