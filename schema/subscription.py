"""Subscription: an election's latest tally as the count comes in, and elections whose facts
change, sent when a write commits (service/notify.py brings the notices, from any server
process on PostgreSQL); each message reads the data afresh."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry import Info

import models
from models.base import KEY_LENGTH
from models.figures import in_stage_order
from schema.context import Loaders
from schema.election import Election
from schema.tally import Tally
from service import notify
from service.notify import Notice


@strawberry.type(description="An election's latest tally, sent when one of its tallies changed.")
class ResultUpdate:
    election: Election = strawberry.field(description="The election counted.")
    area: str | None = strawberry.field(
        description="The key of the area followed; null for the whole country."
    )
    tally: Tally | None = strawberry.field(
        description="The latest tally of the election for that area, in publication order "
        "(round, stage, date, share counted); null when it has none."
    )


def _open(wanted: Callable[[Notice], bool]) -> notify.NoticeWaiter:
    """A subscription's waiter on the process's hub, or the error that says which limit
    refused it."""
    try:
        return notify.hub.open(wanted)
    except notify.TooManySubscriptions as error:
        raise GraphQLError(str(error), extensions={"code": "LIVE_LIMIT"}) from None


async def latest_tally(info: Info, election: models.Election, area_id: int | None) -> Tally | None:
    rows = await info.context.loaders.children(models.Tally, "election").load(election.pk)
    mine = [row for row in rows if row.area_id == area_id]
    ordered = in_stage_order(mine)
    return Tally.from_model(ordered[-1]) if ordered else None


def _fresh(info: Info) -> None:
    """Before each message: counted, and read anew (the loaders of the connection would
    answer from what they fetched for the previous one)."""
    info.context.loaders = Loaders()
    notify.hub.on_message()


@strawberry.type(description="Changes as they are committed, over WebSocket or HTTP streams.")
class Subscription:
    @strawberry.subscription(
        description="The election's latest tally for an area (or the whole country): sent "
        "once at once, then whenever one of the election's tallies for that area is "
        "created, changed or deleted. Notices that come faster than the server's rate "
        "(LIVE_MESSAGES_PER_SECOND) are sent as one message."
    )
    async def result_updated(
        self,
        info: Info,
        election: Annotated[
            str, strawberry.argument(description='The election\'s key, e.g. "az-president-2024".')
        ],
        area: Annotated[
            str | None,
            strawberry.argument(description="An area's key; omitted: the whole country."),
        ] = None,
    ) -> AsyncGenerator[ResultUpdate, None]:
        known = len(election) <= KEY_LENGTH
        row = await models.Election.get_or_none(key=election) if known else None
        if row is None:
            raise GraphQLError(f"There is no election '{election}' (argument `election`).")
        area_id: int | None = None
        if area is not None:
            place = await models.Area.get_or_none(key=area) if len(area) <= KEY_LENGTH else None
            if place is None:
                raise GraphQLError(f"There is no area '{area}' (argument `area`).")
            area_id = place.pk

        def wanted(notice: Notice) -> bool:
            return notice.tally and notice.election == election and notice.area == area

        subscription = _open(wanted)
        try:
            _fresh(info)
            yield ResultUpdate(
                election=Election.from_model(row),
                area=area,
                tally=await latest_tally(info, row, area_id),
            )
            async for _ in subscription.changes():
                current = await models.Election.get_or_none(key=election)
                if current is None:
                    return  # the election was deleted: nothing more will come
                _fresh(info)
                yield ResultUpdate(
                    election=Election.from_model(current),
                    area=area,
                    tally=await latest_tally(info, current, area_id),
                )
        finally:
            notify.hub.close(subscription)

    @strawberry.subscription(
        description="An election whenever its facts change: the election itself, its "
        "candidacies, tallies, endorsements, statements, legal cases or exit polls; only "
        "the elections of one country when `country` is given."
    )
    async def election_changed(
        self,
        info: Info,
        country: Annotated[
            str | None,
            strawberry.argument(description='An ISO 3166-1 alpha-2 code, e.g. "AZ".'),
        ] = None,
    ) -> AsyncGenerator[Election, None]:
        code = None if country is None else country.upper()
        if code is not None and (
            len(code) != 2 or not await models.Country.filter(code=code).exists()
        ):
            raise GraphQLError(f"There is no country '{country}' (argument `country`).")
        pending: set[str] = set()

        def wanted(notice: Notice) -> bool:
            if code is None or notice.country == code:
                pending.add(notice.election)
                return True
            return False

        subscription = _open(wanted)
        try:
            # One election a message, at the subscription's rate: a load that changed many
            # elections is sent over several seconds, not in one burst.
            async for _ in subscription.changes():
                if not pending:
                    # After a notice of everything (service/notify.py) no election is named;
                    # sending every election would be a flood: the guide says how to catch
                    # up (`updatedSince`).
                    continue
                key = min(pending)
                pending.discard(key)
                if pending:
                    subscription.again()
                row = await models.Election.get_or_none(key=key)
                if row is not None:
                    _fresh(info)
                    yield Election.from_model(row)
        finally:
            notify.hub.close(subscription)
