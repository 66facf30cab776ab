"""Mutation: creating, changing and deleting elections, candidacies, tallies, endorsements and
statements, and loading fixtures; each needs a token with write scope.

Input the client can correct is answered in the payload's `errors`, as FieldErrors naming the
argument or input field (`input.date`, `input.lines[1].candidacy`), with nothing written.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry import Info, Some
from strawberry.utils.str_converters import to_camel_case
from tortoise.models import Model

import loader
import models
from curation import changes
from curation.changes import Problem
from curation.tokens import require
from models import Scope
from schema.candidacy import Candidacy
from schema.context import Loaders
from schema.election import Election
from schema.endorsement import Endorsement
from schema.inputs import (
    CreateCandidacyInput,
    CreateElectionInput,
    CreateEndorsementInput,
    CreateStatementInput,
    CreateTallyInput,
    UpdateCandidacyInput,
    UpdateElectionInput,
    UpdateEndorsementInput,
    UpdateStatementInput,
    UpdateTallyInput,
)
from schema.statement import Statement
from schema.tally import Tally

M = TypeVar("M", bound=Model)


@strawberry.type(description="A problem with a mutation's arguments; nothing was written.")
class FieldError:
    field: str = strawberry.field(
        description='Where: an argument or input field, e.g. "input.date", "key" or '
        '"input.lines[1].candidacy"; for fixtures, the record path in the content, e.g. '
        '"elections[0].date", or "content".'
    )
    message: str = strawberry.field(description="What is wrong there.")


@strawberry.type(description="The election created or changed, or why not.")
class ElectionPayload:
    election: Election | None = strawberry.field(
        description="The election as stored now; null if there were errors."
    )
    errors: list[FieldError] = strawberry.field(description="Empty when it was done.")


@strawberry.type(description="The candidacy created or changed, or why not.")
class CandidacyPayload:
    candidacy: Candidacy | None = strawberry.field(
        description="The candidacy as stored now; null if there were errors."
    )
    errors: list[FieldError] = strawberry.field(description="Empty when it was done.")


@strawberry.type(description="The tally created or changed, or why not.")
class TallyPayload:
    tally: Tally | None = strawberry.field(
        description="The tally as stored now; null if there were errors."
    )
    errors: list[FieldError] = strawberry.field(description="Empty when it was done.")


@strawberry.type(description="The endorsement created or changed, or why not.")
class EndorsementPayload:
    endorsement: Endorsement | None = strawberry.field(
        description="The endorsement as stored now; null if there were errors."
    )
    errors: list[FieldError] = strawberry.field(description="Empty when it was done.")


@strawberry.type(description="The statement created or changed, or why not.")
class StatementPayload:
    statement: Statement | None = strawberry.field(
        description="The statement as stored now; null if there were errors."
    )
    errors: list[FieldError] = strawberry.field(description="Empty when it was done.")


@strawberry.type(description="A deletion, or why it was refused.")
class DeletePayload:
    deleted_key: str | None = strawberry.field(
        description="The key of the record deleted; null if there were errors."
    )
    errors: list[FieldError] = strawberry.field(
        description="Empty when it was done; a record that others refer to is not deleted, "
        "and the error names them."
    )


@strawberry.enum(description="The format of fixture content.")
class FixtureFormat(Enum):
    YAML = strawberry.enum_value("yaml", description="YAML, read as the loader reads .yaml files.")
    JSON = strawberry.enum_value("json", description="JSON.")


@strawberry.type(description="What a fixture load did to one section.")
class SectionCounts:
    section: str = strawberry.field(description='The section, e.g. "elections".')
    created: int = strawberry.field(description="Records created.")
    updated: int = strawberry.field(description="Records changed.")
    unchanged: int = strawberry.field(description="Records already as given.")
    deleted: int = strawberry.field(description="Records deleted (with prune only).")


@strawberry.type(description="What a fixture load did, or why nothing was loaded.")
class LoadFixturesPayload:
    changed: int = strawberry.field(description="Rows created, changed or deleted in all.")
    sections: list[SectionCounts] = strawberry.field(
        description="Counts per section the content holds (and, with prune, per section "
        "pruned), in loading order."
    )
    errors: list[FieldError] = strawberry.field(
        description="Every problem the loader found; if any, nothing was written."
    )


# --- From inputs to fixture records, and from refusals to FieldErrors ------------------------


def _plain(value: Any) -> Any:
    """An input value as a fixture file would have it."""
    if isinstance(value, Some):
        return _plain(value.value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _record(value)
    return value


def _record(value: Any) -> dict[str, Any]:
    """The fields an input object gives, by their fixture names (the Python ones).

    A field of an update input left out is None, and is not in the record; one given as null
    is Some(None), and is, as None. In a create input None is null, which a fixture record
    also means by leaving the field out.
    """
    return {
        field.name: _plain(getattr(value, field.name))
        for field in dataclasses.fields(value)
        if getattr(value, field.name) is not None
    }


def _field_path(path: tuple[str | int, ...], root: str) -> str:
    """Where in the input a problem is, as the client wrote it: `input.lines[0].votes`."""
    where = root
    for part in path:
        where += f"[{part}]" if isinstance(part, int) else f".{to_camel_case(part)}"
    return where


def _errors(problems: list[Problem], root: str) -> list[FieldError]:
    return [FieldError(field=_field_path(p.path, root), message=p.message) for p in problems]


async def _actor(info: Info) -> str:
    # The Access extension has refused the operation already if the token does not allow
    # it; this is for the name, and in case the schema runs without that extension.
    return require(await info.context.identity(), Scope.WRITE, "A mutation").name


def _written(info: Info) -> None:
    # The request's loaders keep what they read, for the rest of the request: after a
    # write, the next mutation's answer (an operation may hold several, run in turn) reads
    # the rows again rather than serving those from before it.
    loaders: Loaders = info.context.loaders
    loaders.clear()


async def _create(
    info: Info, section: str, value: Any, model: type[M]
) -> tuple[M | None, list[FieldError]]:
    try:
        key = await changes.create(section, _record(value), await _actor(info))
    except changes.Refused as refused:
        return None, _errors(refused.problems, "input")
    _written(info)
    return await model.get(key=key), []


async def _update(
    info: Info, section: str, key: str, value: Any, model: type[M]
) -> tuple[M | None, list[FieldError]]:
    try:
        await changes.update(section, key, _record(value), await _actor(info))
    except changes.NotFound as missing:
        return None, _errors(missing.problems, "key")
    except changes.Refused as refused:
        return None, _errors(refused.problems, "input")
    _written(info)
    return await model.get(key=key), []


async def _delete(info: Info, section: str, key: str) -> DeletePayload:
    try:
        await changes.delete(section, key, await _actor(info))
    except changes.Refused as refused:
        return DeletePayload(deleted_key=None, errors=_errors(refused.problems, "key"))
    _written(info)
    return DeletePayload(deleted_key=key, errors=[])


_KEY_ARG = strawberry.argument(description="The natural key of the record.")
_NEW = strawberry.argument(description="The new record, its key included.")
_CHANGES = strawberry.argument(description="The fields to change, and nothing else.")


@strawberry.type(
    description="Changes to the data. Each needs `Authorization: Bearer <token>` with a token "
    "of write scope, runs in one transaction, and is recorded in the audit log."
)
class Mutation:
    @strawberry.mutation(description="Create an election.")
    async def create_election(
        self, info: Info, input: Annotated[CreateElectionInput, _NEW]
    ) -> ElectionPayload:
        row, errors = await _create(info, "elections", input, models.Election)
        return ElectionPayload(
            election=None if row is None else Election.from_model(row), errors=errors
        )

    @strawberry.mutation(description="Change the given fields of an election.")
    async def update_election(
        self,
        info: Info,
        key: Annotated[str, _KEY_ARG],
        input: Annotated[UpdateElectionInput, _CHANGES],
    ) -> ElectionPayload:
        row, errors = await _update(info, "elections", key, input, models.Election)
        return ElectionPayload(
            election=None if row is None else Election.from_model(row), errors=errors
        )

    @strawberry.mutation(
        description="Delete an election; refused while candidacies, tallies or other records "
        "refer to it."
    )
    async def delete_election(self, info: Info, key: Annotated[str, _KEY_ARG]) -> DeletePayload:
        return await _delete(info, "elections", key)

    @strawberry.mutation(description="Create a candidacy.")
    async def create_candidacy(
        self, info: Info, input: Annotated[CreateCandidacyInput, _NEW]
    ) -> CandidacyPayload:
        row, errors = await _create(info, "candidacies", input, models.Candidacy)
        return CandidacyPayload(
            candidacy=None if row is None else Candidacy.from_model(row), errors=errors
        )

    @strawberry.mutation(description="Change the given fields of a candidacy.")
    async def update_candidacy(
        self,
        info: Info,
        key: Annotated[str, _KEY_ARG],
        input: Annotated[UpdateCandidacyInput, _CHANGES],
    ) -> CandidacyPayload:
        row, errors = await _update(info, "candidacies", key, input, models.Candidacy)
        return CandidacyPayload(
            candidacy=None if row is None else Candidacy.from_model(row), errors=errors
        )

    @strawberry.mutation(
        description="Delete a candidacy; refused while endorsements or tally or exit-poll "
        "lines refer to it."
    )
    async def delete_candidacy(self, info: Info, key: Annotated[str, _KEY_ARG]) -> DeletePayload:
        return await _delete(info, "candidacies", key)

    @strawberry.mutation(description="Create a tally with its lines.")
    async def create_tally(
        self, info: Info, input: Annotated[CreateTallyInput, _NEW]
    ) -> TallyPayload:
        row, errors = await _create(info, "tallies", input, models.Tally)
        return TallyPayload(tally=None if row is None else Tally.from_model(row), errors=errors)

    @strawberry.mutation(
        description="Change the given fields of a tally; `lines` replaces them all."
    )
    async def update_tally(
        self,
        info: Info,
        key: Annotated[str, _KEY_ARG],
        input: Annotated[UpdateTallyInput, _CHANGES],
    ) -> TallyPayload:
        row, errors = await _update(info, "tallies", key, input, models.Tally)
        return TallyPayload(tally=None if row is None else Tally.from_model(row), errors=errors)

    @strawberry.mutation(description="Delete a tally with its lines.")
    async def delete_tally(self, info: Info, key: Annotated[str, _KEY_ARG]) -> DeletePayload:
        return await _delete(info, "tallies", key)

    @strawberry.mutation(description="Create an endorsement or congratulation.")
    async def create_endorsement(
        self, info: Info, input: Annotated[CreateEndorsementInput, _NEW]
    ) -> EndorsementPayload:
        row, errors = await _create(info, "endorsements", input, models.Endorsement)
        return EndorsementPayload(
            endorsement=None if row is None else Endorsement.from_model(row), errors=errors
        )

    @strawberry.mutation(description="Change the given fields of an endorsement.")
    async def update_endorsement(
        self,
        info: Info,
        key: Annotated[str, _KEY_ARG],
        input: Annotated[UpdateEndorsementInput, _CHANGES],
    ) -> EndorsementPayload:
        row, errors = await _update(info, "endorsements", key, input, models.Endorsement)
        return EndorsementPayload(
            endorsement=None if row is None else Endorsement.from_model(row), errors=errors
        )

    @strawberry.mutation(description="Delete an endorsement.")
    async def delete_endorsement(self, info: Info, key: Annotated[str, _KEY_ARG]) -> DeletePayload:
        return await _delete(info, "endorsements", key)

    @strawberry.mutation(description="Create a statement.")
    async def create_statement(
        self, info: Info, input: Annotated[CreateStatementInput, _NEW]
    ) -> StatementPayload:
        row, errors = await _create(info, "statements", input, models.Statement)
        return StatementPayload(
            statement=None if row is None else Statement.from_model(row), errors=errors
        )

    @strawberry.mutation(description="Change the given fields of a statement.")
    async def update_statement(
        self,
        info: Info,
        key: Annotated[str, _KEY_ARG],
        input: Annotated[UpdateStatementInput, _CHANGES],
    ) -> StatementPayload:
        row, errors = await _update(info, "statements", key, input, models.Statement)
        return StatementPayload(
            statement=None if row is None else Statement.from_model(row), errors=errors
        )

    @strawberry.mutation(description="Delete a statement.")
    async def delete_statement(self, info: Info, key: Annotated[str, _KEY_ARG]) -> DeletePayload:
        return await _delete(info, "statements", key)

    @strawberry.mutation(
        description="Load fixture content (one file's text, as `elections load` would load "
        "that file): checked whole, then written in one transaction, or refused with every "
        "problem and nothing written. The request body limit (MAX_BODY_BYTES) bounds its size."
    )
    async def load_fixtures(
        self,
        info: Info,
        content: Annotated[str, strawberry.argument(description="The text of a fixture file.")],
        format: Annotated[
            FixtureFormat, strawberry.argument(description="How the content is written.")
        ] = FixtureFormat.YAML,
        prune: Annotated[
            bool,
            strawberry.argument(
                description="Also delete every stored row the content does not hold, so the "
                "content must stand alone."
            ),
        ] = False,
    ) -> LoadFixturesPayload:
        actor = await _actor(info)
        try:
            report = await changes.load_text(content, f"content.{format.value}", actor, prune)
        except loader.LoadError as error:
            problems = [
                FieldError(
                    field=problem.path or "content",
                    message=problem.message
                    if problem.line is None
                    else f"line {problem.line}: {problem.message}",
                )
                for problem in error.errors
            ]
            return LoadFixturesPayload(changed=0, sections=[], errors=problems)
        _written(info)
        sections = [
            SectionCounts(
                section=name,
                created=counts.created,
                updated=counts.updated,
                unchanged=counts.unchanged,
                deleted=counts.deleted,
            )
            for name, counts in report.sections.items()
        ]
        return LoadFixturesPayload(changed=report.changed, sections=sections, errors=[])
