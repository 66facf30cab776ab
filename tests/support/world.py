"""The test world: a frozen copy of the curated fixtures, which the tests reason about.

tests/world/ is fixtures/ as it was when the tests were written, and it stays so: the data
the product ships grows (imported elections, new stories), and no test should break when it
does. Tests that need the shipped data itself are in tests/test_bundled.py. A test that
needs a fact the world lacks adds it to the world, with its source, like any fixture.
"""

from __future__ import annotations

import base64
from pathlib import Path

#: The fixture folder of the test world: what the `world` fixture loads, and what servers
#: started by the tests load at start (LOAD_FIXTURES).
WORLD = Path(__file__).resolve().parent.parent / "world"

#: The 2024 Azerbaijani presidential election, and its answer in the test world.
AZ_2024 = """
{
  election(key: "az-president-2024") {
    key
    date
    early
    winner { name }
    result { stage lines { share candidacy { name } } }
  }
}
"""
AZ_2024_DATA = {
    "election": {
        "key": "az-president-2024",
        "date": "2024-02-07",
        "early": True,
        "winner": {"name": "Ilham Aliyev"},
        "result": {
            "stage": "FINAL",
            "lines": [
                {"share": 92.12, "candidacy": {"name": "Ilham Aliyev"}},
                {"share": 2.17, "candidacy": {"name": "Zahid Oruj"}},
                {"share": 1.99, "candidacy": {"name": "Fazil Mustafa"}},
                {"share": 1.72, "candidacy": {"name": "Gudrat Hasanguliyev"}},
                {"share": 0.8, "candidacy": {"name": "Razi Nurullayev"}},
                {"share": 0.66, "candidacy": {"name": "Musayev"}},
                {"share": 0.54, "candidacy": {"name": "F. Aliyev"}},
            ],
        },
    }
}
#: Its winner, a smaller query.
WINNER = '{ election(key: "az-president-2024") { winner { name share } } }'
WINNER_DATA = {"election": {"winner": {"name": "Ilham Aliyev", "share": 92.12}}}


def global_id(type_name: str, key: str) -> str:
    """A global ID as the API builds it: base64 of "Type:natural key"."""
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


#: The sources of the 2024 Azerbaijani presidential election in the test world, in key order.
AZ_2024_SOURCES = [
    "cec-az-news-1285",
    "einpresswire-687428779",
    "epde-emds-preliminary",
    "geghard-343",
    "hurriyet-190507",
    "menafn-1107731739",
    "menafn-1107837909",
    "menafn-1107844554",
    "seed-article-2024-02",
    "turan-emds-interim",
    "turan-osce-missions",
    "wikipedia-az-2024",
]
