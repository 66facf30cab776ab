"""The data sets of data/ as the tests read them: facts from the files as their publishers
released them (ParlGov, the MIT Election Lab) and the electoral votes we curate beside them."""

from __future__ import annotations

from loader import datasets
from service.settings import BUNDLED_DATA

#: The repository's data/ folder.
DATA = datasets.DataFolder(BUNDLED_DATA)
