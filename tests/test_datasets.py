"""The data sets from the command line and at start: `elections import`, `validate --strict`,
and the load of fixtures with the data sets that a later start skips while they are unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tortoise.context import TortoiseContext

import models
from curation import changes
from loader import datasets
from service import cli
from service.settings import BUNDLED_DATA
from tests.support.world import WORLD


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_then_again_changes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite://{tmp_path / 'e.sqlite3'}"
    medsl = BUNDLED_DATA / "medsl" / "1976-2020-president.csv"
    code, out, err = run(capsys, "import", "medsl", medsl, "--database-url", url)
    assert code == 0, err
    assert "tallies: 624 created, 0 updated, 0 unchanged, 0 deleted" in out
    # The countries come from ISO 3166 with the import: every one of them.
    assert "countries: 249 created" in out
    code, out, err = run(capsys, "import", "medsl", medsl, "--strict", "--database-url", url)
    assert (code, out.splitlines()[-1]) == (0, "nothing changed")


def test_an_import_with_other_columns_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "parlgov"
    shutil.copytree(BUNDLED_DATA / "parlgov", folder)
    file = folder / "02__datacore__Country.csv"
    file.write_text(
        file.read_text(encoding="utf-8").replace("code_iso2", "iso2", 1), encoding="utf-8"
    )
    database = tmp_path / "e.sqlite3"
    code, out, err = run(
        capsys, "import", "parlgov", folder, "--database-url", f"sqlite://{database}"
    )
    assert (code, out) == (1, "")
    assert err == (
        f"{file}:1: missing column 'code_iso2'; unknown column 'iso2': the columns are not the"
        " published ones\n1 error; nothing was written\n"
    )
    code, out, _ = run(capsys, "dump", tmp_path / "dump", "--database-url", f"sqlite://{database}")
    assert code == 0
    assert (tmp_path / "dump" / "02-countries.yaml").read_text() == "countries: []\n"


def test_import_of_a_missing_folder_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "import", "parlgov", tmp_path / "nowhere")
    assert code == 2
    assert err == f"elections: {tmp_path / 'nowhere'} is not a folder of ParlGov's CSV files\n"


TALLY = """\
sources:
  - key: "cec"
    url: "https://example.org/cec"
    publisher: "Central Election Commission"
countries:
  - code: "AZ"
    name: "Azerbaijan"
elections:
  - key: "az-2024"
    country: "AZ"
    kind: "presidential"
    office: "President"
    date: 2024-02-07
    sources: ["cec"]
tallies:
  - key: "az-2024/final"
    election: "az-2024"
    stage: "final"
    registered: 100
    cast: 101
{explained}    sources: ["cec"]
"""


def test_validate_strict_fails_on_a_warning_nothing_explains(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    file = tmp_path / "t.yaml"
    file.write_text(TALLY.format(explained=""))
    assert run(capsys, "validate", file) == (0, "4 records OK\n", "")
    code, out, err = run(capsys, "validate", "--strict", file)
    assert (code, out) == (1, "")
    assert err == (
        f"{file}:16: tallies[0]: warning cast_exceeds_registered: cast (101) exceeds registered"
        " (100)\n1 error; not strict\n"
    )
    reason = '    explained_warnings:\n      cast_exceeds_registered: "Two sources."\n'
    file.write_text(TALLY.format(explained=reason))
    assert run(capsys, "validate", "--strict", file) == (0, "4 records OK\n", "")


async def test_a_start_with_the_same_inputs_reads_nothing(empty_db: TortoiseContext) -> None:
    first = await changes.load_bundled(WORLD, BUNDLED_DATA, "(test)")
    assert first is not None
    assert first.sections["elections"].created == 1049
    [dataset] = await models.Dataset.all()
    assert (dataset.name, len(dataset.digest)) == (datasets.BUNDLED, 64)
    assert await changes.load_bundled(WORLD, BUNDLED_DATA, "(test)") is None
    entries = await models.AuditEntry.filter(entity="Fixtures").count()
    assert entries == 1
