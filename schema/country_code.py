"""Country codes: an argument that must be ISO 3166-1 alpha-2, refused with the code meant."""

from __future__ import annotations

import functools
import re

import pycountry

from service.errors import ClientError

_ALPHA_2 = re.compile(r"[A-Z]{2}", re.ASCII)

#: No country's name or code is longer; a longer text is not looked up.
_LONGEST_NAME = 100


#: Codes ISO 3166-1 reserves for other uses, which people write for a country that has
#: another: the United Kingdom's "UK", Greece's "EL" (the EU's usage), metropolitan France's
#: "FX". The other reserved codes name no country (EU, UN, SU...).
_MEANT = {"UK": "GB", "EL": "GR", "FX": "FR"}


def _user_assigned(code: str) -> bool:
    """AA, QM-QZ, XA-XZ and ZZ: codes ISO 3166-1 leaves to its users (Kosovo's XK is one),
    which data may use, and which match nothing when no country has them."""
    return code in ("AA", "ZZ") or (code[0] == "Q" and code[1] >= "M") or code[0] == "X"


@functools.cache  # of two upper-case letters: at most 676 entries
def assigned(code: str) -> bool:
    """Whether two upper-case letters may name a country: an ISO 3166-1 code, a former one
    (ISO 3166-3: the Soviet Union's SU, Yugoslavia's YU), or one left to users."""
    return (
        pycountry.countries.get(alpha_2=code) is not None
        or any(c.alpha_2 == code for c in pycountry.historic_countries)
        or _user_assigned(code)
    )


def alpha_2(code: str, argument: str) -> str:
    """`code` in upper case without the spaces around it, if it is an ISO 3166-1 alpha-2 code
    that may name a country (`assigned`), stored here or not; else a ClientError naming
    `argument` and, where `code` is a country's name, alpha-3 code or a code people use for
    it ("UK"), the alpha-2 code meant."""
    found = code.strip().upper()
    shown = f'"{code[:40]}…"' if len(code) > 40 else f'"{code}"'
    if _ALPHA_2.fullmatch(found):
        if assigned(found):
            return found
        message = f"{argument}: {shown} is not the ISO 3166-1 alpha-2 code of a country"
        meant = pycountry.countries.get(alpha_2=_MEANT.get(found, ""))
        if meant is not None:
            raise ClientError(f'{message}; {meant.name}\'s is "{meant.alpha_2}".')
        raise ClientError(f'{message}: give a country\'s two letters, e.g. "AZ" for Azerbaijan.')
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
