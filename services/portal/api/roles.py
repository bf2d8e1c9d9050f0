"""Who may do what: roles from the token map to permissions, checked per route."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    VIEWER = "viewer"


class Permission(StrEnum):
    READ = "read"
    UPLOAD = "upload"
    RERUN_COMPARISON = "rerun-comparison"
    OPERATE_DLQ = "operate-dlq"  # replay and purge dead letters


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.OPERATOR: frozenset({Permission.READ, Permission.UPLOAD, Permission.RERUN_COMPARISON}),
    Role.VIEWER: frozenset({Permission.READ}),
}


@dataclass(frozen=True)
class Principal:
    """The person behind a request, as the issuer vouched for them."""

    subject: str
    name: str
    roles: frozenset[Role]

    @classmethod
    def from_claims(cls, claims: dict[str, object], roles_claim: str) -> Principal:
        raw = claims.get(roles_claim, ())
        names = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
        return cls(
            subject=str(claims.get("sub", "")),
            name=str(claims.get("name") or claims.get("preferred_username") or claims.get("sub")),
            roles=known_roles(str(name) for name in names),
        )

    def may(self, permission: Permission) -> bool:
        return any(permission in GRANTS[role] for role in self.roles)


def known_roles(names: Iterable[str]) -> frozenset[Role]:
    """Roles ior knows, case-insensitively (Entra ID app roles are often capitalised); others
    are ignored."""
    values = {role.value: role for role in Role}
    return frozenset(values[name.lower()] for name in names if name.lower() in values)
