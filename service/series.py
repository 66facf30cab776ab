"""Series: a counter and a histogram by labels, kept as plain numbers in the event loop's
thread and exported at each scrape with the samples prometheus_client's own Counter and
Histogram export (the same names, labels, buckets and `_created` times).

prometheus_client's metrics take a lock and make several calls for each count, so that any
thread may count: counting a request in its two counters and two histograms took about
40,000 instructions, a twentieth of a small query's whole request (BENCHMARKS.md). Every
request is counted from the event loop's thread, so a count here is a dict lookup and an
addition; these series must not be counted from another thread.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Iterator, Sequence

from prometheus_client import Histogram
from prometheus_client.metrics_core import CounterMetricFamily, Metric
from prometheus_client.utils import floatToGoString

#: prometheus_client's default buckets, +Inf last: a request's duration in seconds.
BUCKETS: tuple[float, ...] = tuple(float(bound) for bound in Histogram.DEFAULT_BUCKETS)
#: Each bucket's `le` label, written as prometheus_client writes it ("0.005", "+Inf").
LE: tuple[str, ...] = tuple(
    floatToGoString(bound)  # type: ignore[no-untyped-call]  # untyped in prometheus_client
    for bound in BUCKETS
)

Labels = tuple[str, ...]


class CounterSeries:
    """A counter by labels: what a prometheus_client Counter with these labels exports."""

    def __init__(self, name: str, documentation: str, labels: Sequence[str]) -> None:
        self.name = name
        self.documentation = documentation
        self.labels = list(labels)
        self.values: dict[Labels, float] = {}
        #: When each series was first counted: its `_created` sample.
        self.created: dict[Labels, float] = {}

    def inc(self, key: Labels, amount: float = 1.0) -> None:
        if key in self.values:
            self.values[key] += amount
        else:
            self.values[key] = float(amount)
            self.created[key] = time.time()

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(self.name, self.documentation, labels=self.labels)
        for key, value in self.values.items():
            family.add_metric(key, value, created=self.created[key])
        yield family


class HistogramSeries:
    """A histogram by labels over BUCKETS: what a prometheus_client Histogram with these
    labels and its default buckets exports."""

    def __init__(self, name: str, documentation: str, labels: Sequence[str]) -> None:
        self.name = name
        self.documentation = documentation
        self.labels = list(labels)
        #: Each series' observations per bucket (not cumulative: summed at each scrape).
        self.counts: dict[Labels, list[int]] = {}
        self.sums: dict[Labels, float] = {}
        self.created: dict[Labels, float] = {}

    def observe(self, key: Labels, amount: float) -> None:
        counts = self.counts.get(key)
        if counts is None:
            counts = self.counts[key] = [0] * len(BUCKETS)
            self.sums[key] = 0.0
            self.created[key] = time.time()
        # The first bucket whose bound is at least the amount, as prometheus_client counts.
        counts[bisect_left(BUCKETS, amount)] += 1
        self.sums[key] += amount

    def collect(self) -> Iterator[Metric]:
        family = Metric(self.name, self.documentation, "histogram")
        for key, counts in self.counts.items():
            labels = dict(zip(self.labels, key, strict=True))
            total = 0.0
            for le, count in zip(LE, counts, strict=True):
                total += count
                family.add_sample(f"{self.name}_bucket", {**labels, "le": le}, total)
            family.add_sample(f"{self.name}_count", labels, total)
            family.add_sample(f"{self.name}_sum", labels, self.sums[key])
            family.add_sample(f"{self.name}_created", labels, self.created[key])
        yield family
