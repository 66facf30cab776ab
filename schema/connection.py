"""Connections: Relay pages of any list that can grow, with opaque cursors and a total."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import strawberry

from schema.conversion import FromRow
from schema.limits import MAX_PAGE
from service.errors import ClientError

T = TypeVar("T")
R = TypeVar("R", bound=FromRow)


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items precede this page.")
    # The cursors' parts (the list, and the first and last items' positions; None for an
    # empty page): encoded only when a client asks, which a nested list's rarely does.
    tag: strawberry.Private[str]
    start: strawberry.Private[Sequence[Any] | None]
    end: strawberry.Private[Sequence[Any] | None]

    @strawberry.field(description="The first edge's cursor.")
    def start_cursor(self) -> str | None:
        return None if self.start is None else encode_cursor(self.tag, self.start)

    @strawberry.field(description="The last edge's cursor.")
    def end_cursor(self) -> str | None:
        return None if self.end is None else encode_cursor(self.tag, self.end)


@strawberry.type(description="One item of a page and the cursor that points at it.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")
    # The cursor's parts: encoded only when a client asks for it.
    tag: strawberry.Private[str]
    position: strawberry.Private[Sequence[Any]]

    @strawberry.field(description="Pass as `after` or `before` to page from here.")
    def cursor(self) -> str:
        return encode_cursor(self.tag, self.position)


def _edges(self: Any) -> list[Any]:
    """A connection's edges, made when a client asks for them (`Connection.edges`)."""
    tag = self.tag
    return [
        Edge(node=node, tag=tag, position=position)
        for node, position in zip(self.items, self.positions(), strict=True)
    ]


@strawberry.type(description="A page of a list: its edges, where it sits, and the whole count.")
class Connection(Generic[T]):
    # The page's items, and the parts of each one's cursor (its position in its list): the
    # edges are made only when a client asks for them, and most ask for `nodes`.
    items: strawberry.Private[list[T]]
    positions: strawberry.Private[Callable[[], Sequence[Sequence[Any]]]]
    tag: strawberry.Private[str]
    edges: list[Edge[T]] = strawberry.field(
        resolver=_edges, description="The items of this page, in order."
    )
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items the whole list has (all pages, filter applied).")
    async def total_count(self) -> int:
        # Counted only when asked for: a root list counts with one more SQL statement.
        return await self.count()

    @strawberry.field(description="The items of this page, in order, without their cursors.")
    def nodes(self) -> list[T]:
        return self.items


# The page arguments every connection field takes, with their descriptions.
First = Annotated[
    int | None,
    strawberry.argument(description=f"The first this many items (1–{MAX_PAGE}) after `after`."),  # noqa: RUF001
]
After = Annotated[
    str | None, strawberry.argument(description="Start after the item with this cursor.")
]
Last = Annotated[
    int | None,
    strawberry.argument(description=f"The last this many items (1–{MAX_PAGE}) before `before`."),  # noqa: RUF001
]
Before = Annotated[
    str | None, strawberry.argument(description="End before the item with this cursor.")
]


@dataclass(frozen=True)
class Page:
    """What a client asked of a list: a size, a direction and the cursors to start from."""

    size: int
    backward: bool
    after: str | None
    before: str | None

    @classmethod
    def of(cls, first: int | None, after: str | None, last: int | None, before: str | None) -> Page:
        """The page the arguments ask for: the first 100 when neither `first` nor `last`."""
        if first is not None and last is not None:
            raise ClientError("Give `first` or `last`, not both.")
        for name, value in (("first", first), ("last", last)):
            if value is not None and not 1 <= value <= MAX_PAGE:
                raise ClientError(f"`{name}` must be between 1 and {MAX_PAGE}, got {value}.")
        if last is not None:
            return cls(last, True, after, before)
        return cls(first if first is not None else MAX_PAGE, False, after, before)


def encode_cursor(tag: str, values: Sequence[Any]) -> str:
    """An opaque cursor: the list it belongs to and the item's position in that list."""
    raw = json.dumps([tag, *values], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


#: The longest cursor read: the ones made here hold a list's name and a few sort values.
MAX_CURSOR_LENGTH = 4096
#: What a cursor's values may be: JSON's scalars (a list or an object was not made here).
_SCALARS = (str, int, float, bool, type(None))


def decode_cursor(tag: str, cursor: str, argument: str, length: int) -> list[Any]:
    """The values in `cursor`, refused with a ClientError when it was not made for `tag`."""
    decoded = None
    if len(cursor) <= MAX_CURSOR_LENGTH:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            decoded = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        except (binascii.Error, UnicodeError, ValueError, RecursionError):
            # RecursionError: arrays nested thousands deep, which the parser recurses into.
            decoded = None
    # A NUL in a value could not be compared: PostgreSQL refuses it in a query parameter.
    if not (
        isinstance(decoded, list)
        and len(decoded) == length + 1
        and decoded[0] == tag
        and all(isinstance(value, _SCALARS) for value in decoded)
        and not any(isinstance(value, str) and "\0" in value for value in decoded)
    ):
        # Quoted in the refusal, but not at any length.
        shown = cursor if len(cursor) <= 100 else cursor[:100] + "…"
        raise ClientError(f"`{argument}` is not a cursor of this list: {shown!r}.")
    return decoded[1:]


def page_of_list(
    rows: Sequence[Any], key: Callable[[Any], str], tag: str, page: Page
) -> tuple[list[Any], PageInfo]:
    """A page of a list already in order, and where it sits.

    A cursor holds the row's natural key, so it stays valid when rows are added anywhere;
    one whose row is gone is refused, as the list can no longer say where it was.
    """

    start = _position(rows, key, tag, page.after, "after") + 1 if page.after is not None else 0
    end = _position(rows, key, tag, page.before, "before") if page.before is not None else len(rows)
    end = max(start, end)
    if page.backward:
        first, stop = max(start, end - page.size), end
    else:
        first, stop = start, min(end, start + page.size)
    picked = list(rows[first:stop])
    info = PageInfo(
        # Known exactly, whichever way the client pages, as the whole list is at hand.
        has_next_page=stop < len(rows),
        has_previous_page=first > 0,
        tag=tag,
        start=[key(picked[0])] if picked else None,
        end=[key(picked[-1])] if picked else None,
    )
    return picked, info


def _position(
    rows: Sequence[Any], key: Callable[[Any], str], tag: str, cursor: str, argument: str
) -> int:
    """Where the row a cursor points at sits in the list."""
    (value,) = decode_cursor(tag, cursor, argument, 1)
    for i, row in enumerate(rows):
        if key(row) == value:
            return i
    raise ClientError(f"`{argument}` points at an item no longer in this list.")


async def _constant(value: int) -> int:
    return value


def list_connection(
    rows: Sequence[Any],
    node: Callable[[Any], T],
    tag: str,
    page: Page,
    key: Callable[[Any], str] = lambda row: str(row.key),
) -> Connection[T]:
    """A connection over rows already loaded and ordered (the nested lists)."""
    picked, info = page_of_list(rows, key, tag, page)
    total = len(rows)
    return Connection(
        items=list(map(node, picked)),
        positions=lambda: [[key(row)] for row in picked],
        tag=tag,
        page_info=info,
        count=lambda: _constant(total),
    )


def nested_connection(
    rows: Sequence[Any],
    node: type[R],
    tag: str,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[R]:
    """The page a nested list's arguments ask for, of rows already loaded and ordered, each
    shown as `node`; `tag` (e.g. "Person.candidacies") is what its cursors belong to."""
    return list_connection(rows, node.from_model, tag, Page.of(first, after, last, before))
