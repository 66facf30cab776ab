"""ApiToken: a bearer token for the API, stored as the SHA-256 digest of the token."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"


class ApiToken(Model):
    id = fields.IntField(primary_key=True)
    # Names stay taken after a revocation, so an audit entry's name means one token only.
    name = fields.CharField(max_length=60, unique=True)
    # The token's first characters: they find its row without the digest being a lookup key,
    # and tell tokens apart in `elections token list`. They are not enough to use the token.
    prefix = fields.CharField(max_length=16, db_index=True)
    digest = fields.CharField(max_length=64)
    scope = fields.CharEnumField(Scope, max_length=8)
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"
