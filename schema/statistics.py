"""Statistics: counts and averages over elections and candidacies, computed in SQL."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any

import strawberry
from strawberry import Info

from models.figures import rounded
from schema import computed
from schema.keyset import Dialect, Sql
from service.database import default_client
from service.errors import ClientError


async def _rows(sql: Sql) -> list[dict[str, Any]]:
    connection = default_client()
    text, params = Dialect(connection).statement(sql)
    return list(await connection.execute_query_dict(text, params))


def _average(value: Any) -> float | None:
    # SQLite's AVG is a float, PostgreSQL's a decimal: either rounded by the one rule.
    return None if value is None else rounded(value)


@strawberry.type(description="Elections whose winner's share falls in [from, to).")
class ShareBucket:
    from_: float = strawberry.field(name="from", description="Lowest share, included.")
    to: float = strawberry.field(description="Highest share, excluded (100 included).")
    count: int = strawberry.field(description="How many elections.")


@strawberry.type(description="Figures over a set of elections, from their preferred tallies.")
class ElectionStatistics:
    where: strawberry.Private[Sql]
    count: int = strawberry.field(description="How many elections.")
    average_turnout: float | None = strawberry.field(
        description="Mean turnout in percent over those with one, rounded to 2 places."
    )
    average_winner_share: float | None = strawberry.field(
        description="Mean of the winners' shares in percent over those with a result, "
        "rounded to 2 places."
    )

    @strawberry.field(
        description="How the winners' shares spread: one bucket per `bucketSize` points from "
        "0 to 100, empty ones included; elections without a result are left out."
    )
    async def winner_shares(
        self,
        bucket_size: Annotated[
            float, strawberry.argument(description="Width of a bucket in points, 1 to 50.")
        ] = 10.0,
    ) -> list[ShareBucket]:
        if not 1 <= bucket_size <= 50:
            raise ClientError(f"`bucketSize` must be between 1 and 50, got {bucket_size:g}.")
        rows = await _rows(
            Sql(
                f"SELECT {computed.winner_share('t.id')} AS share FROM election t "
                f"WHERE {self.where.text}",
                self.where.params,
            )
        )
        edges = [i * bucket_size for i in range(math.ceil(100 / bucket_size))]
        counts = [0] * len(edges)
        for row in rows:
            if row["share"] is not None:
                counts[min(int(float(row["share"]) // bucket_size), len(edges) - 1)] += 1
        return [
            ShareBucket(from_=low, to=min(low + bucket_size, 100.0), count=n)
            for low, n in zip(edges, counts, strict=True)
        ]


def _election_figures(where: Sql, group: str | None = None) -> Sql:
    grouped = f"{group} AS owner, " if group else ""
    return Sql(
        f"SELECT {grouped}COUNT(*) AS n, AVG({computed.turnout('t.id')}) AS turnout, "
        f"AVG({computed.winner_share('t.id')}) AS share FROM election t WHERE {where.text}"
        + (f" GROUP BY {group}" if group else ""),
        where.params,
    )


async def election_statistics(where: Sql) -> ElectionStatistics:
    (row,) = await _rows(_election_figures(where))
    return ElectionStatistics(
        where=where,
        count=int(row["n"]),
        average_turnout=_average(row["turnout"]),
        average_winner_share=_average(row["share"]),
    )


def _in(column: str, ids: Sequence[int]) -> Sql:
    return Sql(f"{column} IN ({', '.join('?' for _ in ids)})", tuple(ids))


async def country_statistics(info: Info, country_id: int) -> ElectionStatistics:
    """One country's figures; the countries of one request are counted in one statement."""

    async def load(ids: Sequence[int]) -> list[ElectionStatistics]:
        rows = {
            row["owner"]: row
            for row in await _rows(_election_figures(_in("t.country_id", ids), "t.country_id"))
        }
        return [
            ElectionStatistics(
                where=Sql("t.country_id = ?", (id_,)),
                count=int(rows[id_]["n"]) if id_ in rows else 0,
                average_turnout=_average(rows[id_]["turnout"]) if id_ in rows else None,
                average_winner_share=_average(rows[id_]["share"]) if id_ in rows else None,
            )
            for id_ in ids
        ]

    result: ElectionStatistics = await info.context.loaders.batched("country", load).load(
        country_id
    )
    return result


@strawberry.type(description="A person's record over all their candidacies.")
class CandidacyStatistics:
    candidacies: int = strawberry.field(description="How many candidacies.")
    wins: int = strawberry.field(description="How many it won, by the rules of each election.")
    average_share: float | None = strawberry.field(
        description="Mean share in percent over those with a published share, rounded to 2 places."
    )


async def person_statistics(info: Info, person_id: int) -> CandidacyStatistics:
    """One person's record; the people of one request are counted in one statement."""

    async def load(ids: Sequence[int]) -> list[CandidacyStatistics]:
        where = _in("t.person_id", ids)
        rows = {
            row["owner"]: row
            for row in await _rows(
                Sql(
                    f"SELECT t.person_id AS owner, COUNT(*) AS n, "
                    f"SUM(CASE WHEN {computed.won('t')} = 1 THEN 1 ELSE 0 END) AS wins, "
                    f"AVG({computed.share('t')}) AS share FROM candidacy t "
                    f"WHERE {where.text} GROUP BY t.person_id",
                    where.params,
                )
            )
        }
        return [
            CandidacyStatistics(
                candidacies=int(rows[id_]["n"]) if id_ in rows else 0,
                wins=int(rows[id_]["wins"]) if id_ in rows else 0,
                average_share=_average(rows[id_]["share"]) if id_ in rows else None,
            )
            for id_ in ids
        ]

    result: CandidacyStatistics = await info.context.loaders.batched("person", load).load(person_id)
    return result
