"""The closing summary: results across sizes, and each of the issue's targets met or not."""

from __future__ import annotations

from bench.operations import OPERATIONS
from bench.run import SizeResult


def _status(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "not met")


def targets(results: list[SizeResult]) -> list[tuple[str, str, str]]:
    """(target, what was measured, met / not met / not measured) for each target."""
    rows: list[tuple[str, str, str]] = []
    names = [op.name for op in OPERATIONS]
    # Sizes where every operation ran in-process (an API failure leaves one out).
    measured = [r for r in results if all(n in r.inprocess for n in names)]

    if measured:
        flat = True
        parts = []
        for op in OPERATIONS:
            counts = [r.inprocess[op.name].api_statements for r in measured]
            flat &= len(set(counts)) == 1
            parts.append(f"{op.name} " + "/".join(str(c) for c in counts))
        pages = [(r.statements_first_10, r.inprocess["elections"].api_statements) for r in measured]
        flat &= all(a == b for a, b in pages)
        sizes = "/".join(r.label for r in measured)
        page = ", ".join(f"{a} vs {b}" for a, b in pages)
        rows.append(
            (
                "SQL statements per operation do not grow with data or page size",
                f"at {sizes}: {'; '.join(parts)}; elections page first 10 vs 100: {page}",
                _status(flat),
            )
        )
    else:
        rows.append(("SQL statements per operation do not grow", "-", _status(None)))

    small = next((r for r in measured if r.plan.candidacies == 10_000), None)
    large = next((r for r in measured if r.plan.candidacies == 1_000_000), None)
    for op in [o for o in OPERATIONS if o.paginated]:
        name = f"{op.name} at 1M within 1.5x of its latency at 10k"
        if small and large:
            ratio = large.inprocess[op.name].api_ms / small.inprocess[op.name].api_ms
            rows.append((name, f"{ratio:.2f}x (in-process API median)", _status(ratio <= 1.5)))
        elif len(measured) >= 2:
            first, last = measured[0], measured[-1]
            ratio = last.inprocess[op.name].api_ms / first.inprocess[op.name].api_ms
            rows.append(
                (name, f"1M not run; {last.label} vs {first.label}: {ratio:.2f}x", _status(None))
            )
        else:
            rows.append((name, "needs 10k and 1M in one run", _status(None)))

    for r in measured:
        ratio = r.inprocess["elections"].ratio
        rows.append(
            (
                f"large nested operation in-process at most 5x the floor ({r.label})",
                f"{ratio:.1f}x",
                _status(ratio <= 5),
            )
        )
    for r in results:
        p = r.prepared
        if p is not None and p.loader_rps and p.floor_rps:
            share = p.loader_rps / p.floor_rps
            rows.append(
                (
                    f"fixture loading at least 25 % of the raw floor's rows/s ({r.label})",
                    f"{share * 100:.1f} % ({p.loader_rps:,.0f} vs {p.floor_rps:,.0f} rows/s)",
                    _status(share >= 0.25),
                )
            )
    for r in results:
        if r.small_api and r.small_bare:
            share = r.small_api.rps / r.small_bare.rps
            rows.append(
                (
                    f"small query over HTTP at least 1/3 of the bare endpoint's req/s ({r.label})",
                    f"{share:.2f} ({r.small_api.rps:,.0f} vs {r.small_bare.rps:,.0f} req/s)",
                    _status(share >= 1 / 3),
                )
            )
    return rows


def print_summary(results: list[SizeResult]) -> None:
    names = [op.name for op in OPERATIONS]
    measured = [r for r in results if all(n in r.inprocess for n in [*names, "small"])]
    for r in results:
        if r.inprocess and r not in measured:
            print(f"\n({r.label}: some operations failed in-process; left out of the summary)")
    if measured:
        print("\n== summary: in-process API / floor, CPU ms per run (ratio; SQL statements) ==")
        print("  operation " + "".join(f"{r.label:>34}" for r in measured))
        for name in [op.name for op in OPERATIONS] + ["small"]:
            cells = []
            for r in measured:
                m = r.inprocess[name]
                cells.append(
                    f"{m.api_cpu_ms:.2f} / {m.floor_cpu_ms:.2f} ({m.ratio:.1f}x; "
                    f"{m.api_statements})"
                )
            print(f"  {name:<9} " + "".join(f"{c:>34}" for c in cells))
    print("\n== targets (issue 6) ==")
    for target, measured_text, status in targets(results):
        print(f"  [{status}] {target}: {measured_text}")
    print()
    for line in closing_lines(results):
        print(line)


def closing_lines(results: list[SizeResult]) -> list[str]:
    """The three lines `make bench-quick` ends with, from the largest size measured: the worst
    of SQLite and PostgreSQL for the in-process ratios, and the worst against PostGraphile."""
    lines = []
    last = results[-1] if results else None
    databases = []
    if last is not None:
        databases = [("SQLite", last.inprocess), ("PostgreSQL", last.postgres_inprocess)]
        databases = [(name, ms) for name, ms in databases if ms]
    large = [(ms["elections"].ratio, name) for name, ms in databases if "elections" in ms]
    if large:
        ratio, name = max(large)
        each = ", ".join(f"{n} {r:.1f}" for r, n in large)
        lines.append(f"(large nested operation in-process, API/floor: {each})")
        lines.append(f"large nested operation: API/floor ratio {ratio:.1f}")
    else:
        lines.append("large nested operation: API/floor ratio not measured")
    every = [(m.ratio, f"{m.name}, {name}") for name, ms in databases for m in ms.values()]
    if every:
        ratio, which = max(every)
        lines.append(f"every operation: worst API/floor ratio {ratio:.1f} ({which})")
    else:
        lines.append("every operation: worst API/floor ratio not measured")
    pairs = last.pairs if last is not None else {}
    if pairs:
        ratio, name = min((p.ratio, p.name) for p in pairs.values())
        lines.append(
            f"against PostGraphile on PostgreSQL: worst throughput ratio {ratio:.2f} ({name})"
        )
    else:
        lines.append(
            "against PostGraphile on PostgreSQL: worst throughput ratio not measured "
            "(set BENCH_POSTGRES_URL)"
        )
    return lines
