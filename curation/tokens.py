"""Bearer tokens: made, listed and revoked from the command line, stored hashed, checked per
request.

A token is `elt_` and 43 characters of `secrets.token_urlsafe(32)`: 256 random bits. Only its
SHA-256 digest is stored, with its first characters to find the row. A fast hash is enough
here: a slow one (bcrypt, argon2) makes guessing low-entropy passwords expensive, while a
256-bit random token cannot be guessed from its digest at any speed, and each request can be
checked in microseconds. The digests are compared with `hmac.compare_digest`, whose time does
not depend on where they differ.

    ClientError
     └── AuthError            a request whose token does not allow it
          ├── Unauthenticated   no token, or one that is malformed, unknown or revoked (401)
          └── Forbidden         a valid token without the scope needed (403)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from models import ApiToken, Scope
from service.errors import ClientError

PREFIX = "elt_"
#: How many characters of a token are stored in the clear, to find its row: the prefix and
#: eight random characters (48 bits), far too few to guess the other 35.
LOOKUP_LENGTH = len(PREFIX) + 8
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,59}$")
#: The `realm` of the WWW-Authenticate challenges.
REALM = "elections"

# Compared against when no row matches, so an unknown token costs what a known one does.
_NO_DIGEST = hashlib.sha256(b"no such token").hexdigest()


class AuthError(ClientError):
    """A request that its token (or the lack of one) does not allow."""

    status = 401
    code = "UNAUTHENTICATED"

    def __init__(self, message: str, error: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: RFC 6750's error code for the WWW-Authenticate header, if the token was wrong.
        self.error = error

    @property
    def challenge(self) -> str:
        """The WWW-Authenticate header (RFC 6750) that goes with the refusal."""
        if self.error is None:
            return f'Bearer realm="{REALM}"'
        return f'Bearer realm="{REALM}", error="{self.error}"'


class Unauthenticated(AuthError):
    """No token, or a token that is malformed, unknown or revoked."""


class Forbidden(AuthError):
    """A valid token whose scope does not allow the request."""

    status = 403
    code = "FORBIDDEN"


@dataclass(frozen=True)
class Identity:
    """Who a request's token says it is."""

    name: str
    scope: Scope

    def allows(self, scope: Scope) -> bool:
        return self.scope == Scope.WRITE or scope == Scope.READ


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise ValueError(
            f"a token name is 1 to 60 letters, digits and . _ @ -, starting with a letter or"
            f" digit; got {name!r}"
        )
    return name


async def create(name: str, scope: Scope) -> str:
    """Store a new token named `name`; return the token, which is stored only as a digest."""
    check_name(name)
    if await ApiToken.filter(name=name).exists():
        raise ValueError(f"there is already a token named {name!r} (names are never reused)")
    token = PREFIX + secrets.token_urlsafe(32)
    await ApiToken.create(
        name=name, prefix=token[:LOOKUP_LENGTH], digest=digest(token), scope=scope
    )
    return token


async def revoke(name: str) -> ApiToken:
    """Revoke the token named `name` (kept, so the audit log's names stay meaningful)."""
    row = await ApiToken.get_or_none(name=name)
    if row is None:
        raise ValueError(f"there is no token named {name!r}")
    if row.revoked_at is None:
        row.revoked_at = dt.datetime.now(dt.UTC)
        await row.save(update_fields=["revoked_at"])
    return row


async def tokens() -> list[ApiToken]:
    """Every token, revoked ones too, oldest first."""
    return await ApiToken.all().order_by("created_at", "id")


async def authenticate(authorization: str | None) -> Identity | None:
    """The identity an Authorization header gives: None without the header, Unauthenticated
    for one that is not `Bearer <a valid token>`."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated(
            "The Authorization header must be `Bearer <token>`.", error="invalid_request"
        )
    wanted = digest(token)
    rows = await ApiToken.filter(prefix=token[:LOOKUP_LENGTH]) if token.startswith(PREFIX) else []
    found = None
    for row in rows:
        if hmac.compare_digest(row.digest, wanted):
            found = row
    if not rows:
        hmac.compare_digest(_NO_DIGEST, wanted)
    if found is None:
        raise Unauthenticated("The token is not valid.", error="invalid_token")
    if found.revoked_at is not None:
        raise Unauthenticated("The token has been revoked.", error="invalid_token")
    return Identity(found.name, found.scope)


def require(identity: Identity | None, scope: Scope, what: str) -> Identity:
    """The identity if its scope allows `what`; else the refusal to raise."""
    if identity is None:
        raise Unauthenticated(
            f"{what} needs a token with {scope.value} scope: send `Authorization: Bearer <token>`."
        )
    if not identity.allows(scope):
        raise Forbidden(
            f"{what} needs a token with {scope.value} scope; the token '{identity.name}' has"
            f" {identity.scope.value} scope.",
            error="insufficient_scope",
        )
    return identity
