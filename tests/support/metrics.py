"""Prometheus samples, read from a /metrics page."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

Sample = tuple[str, frozenset[tuple[str, str]]]


def samples(text: str) -> dict[Sample, float]:
    """Every sample of a Prometheus text page, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sample(name: str, **labels: str) -> Sample:
    """The key of one sample in `samples`."""
    return (name, frozenset(labels.items()))


async def answered(http: httpx.AsyncClient) -> float:
    """How many requests fast requests answered, from the app's /metrics."""
    found = samples((await http.get("/metrics")).text)
    return found[sample("elections_graphql_fast_requests_total", outcome="answered")]
