"""What the tests share, one module for each thing: the test world (`world`), databases
(`databases`), operations run in-process (`running`), error bodies and messages (`errors`),
in-process HTTP clients (`clients`), servers in other processes (`servers`), a PostgreSQL
cluster of their own (`postgres_cluster`), tokens for curation (`curating`), settings read
from a clean environment (`settings`), JSON log capture (`logs`), stand-ins that wait
(`waiting`), headless Chromium (`browser`) and the module state a test must leave as it
found it (`state`).

Test modules import from here and from no other test module (tests/test_suite.py checks);
tests/conftest.py holds the fixtures.
"""
