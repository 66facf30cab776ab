"""The series (service/series.py) export what prometheus_client's own Counter and Histogram
export for the same counts: the same text, but for the time each series was created."""

from __future__ import annotations

import re
import time

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest

from service.metrics import Metrics
from service.series import BUCKETS, CounterSeries, HistogramSeries

#: Durations on, just under and just over the buckets' bounds, none, and beyond the last.
AMOUNTS = [0.0, 0.005, 0.0050001, 0.0003, 0.1, 0.0999, 2.5, 10.0, 10.5, 3600.0]
CREATED = re.compile(r"^(\S+_created\{[^}]*\}) (\S+)$", re.MULTILINE)


def exported(registry: CollectorRegistry) -> tuple[str, list[float]]:
    """The registry's text with each `_created` time replaced by a mark, and those times."""
    text = generate_latest(registry).decode()
    return CREATED.sub(r"\1 CREATED", text), [float(t) for _, t in CREATED.findall(text)]


def test_the_series_export_what_prometheus_clients_metrics_export() -> None:
    theirs, ours = CollectorRegistry(auto_describe=True), CollectorRegistry(auto_describe=True)
    counter = Counter(
        "requests", "Requests, by route and status.", ["route", "status"], registry=theirs
    )
    histogram = Histogram("duration_seconds", "Time, by route.", ["route"], registry=theirs)
    counter_series = CounterSeries(
        "requests", "Requests, by route and status.", ["route", "status"]
    )
    histogram_series = HistogramSeries("duration_seconds", "Time, by route.", ["route"])
    ours.register(counter_series)
    ours.register(histogram_series)
    before = time.time()
    for i, amount in enumerate(AMOUNTS):
        route, status = ("/graphql", "/health")[i % 2], ("200", "400")[i % 3 == 0]
        counter.labels(route, status).inc()
        counter_series.inc((route, status))
        histogram.labels(route).observe(amount)
        histogram_series.observe((route,), amount)
    counter.labels("/graphql", "200").inc(3)
    counter_series.inc(("/graphql", "200"), 3)
    after = time.time()

    (their_text, their_times), (our_text, our_times) = exported(theirs), exported(ours)
    assert our_text == their_text
    assert len(our_times) == len(their_times) == 6  # 4 counter series, 2 histogram series
    assert all(before <= t <= after for t in our_times)
    # A concrete line of each, so that the comparison is not of two empty texts.
    assert 'requests_total{route="/graphql",status="200"} 6.0' in our_text
    assert 'duration_seconds_bucket{le="0.005",route="/graphql"} 1.0' in our_text
    # On the bound is in the bucket: 0.005 and 0.0003.
    assert 'duration_seconds_bucket{le="0.005",route="/health"} 2.0' in our_text
    assert 'duration_seconds_bucket{le="+Inf",route="/health"} 5.0' in our_text
    assert BUCKETS[-1] == float("inf")


def test_metrics_export_the_request_series_in_their_order_before_any_request() -> None:
    text = generate_latest(Metrics().registry).decode()
    names = re.findall(r"^# TYPE (\S+) ", text, re.MULTILINE)
    assert names[:6] == [
        "elections_http_requests_total",
        "elections_http_request_duration_seconds",
        "elections_graphql_requests_total",
        "elections_graphql_request_duration_seconds",
        "elections_graphql_errors_total",
        "elections_graphql_fast_path_total",
    ]
