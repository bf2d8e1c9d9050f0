"""IAM policy documents as plain dicts.

Allow statements name their actions one by one and their resources by ARN (builders below never
produce `*`; the tests check the result). Deny statements are guards in resource policies
(buckets, topics): they apply to every principal, and may name a whole service's actions
(`s3:*` over plain HTTP), since denying more than needed can never grant anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

VERSION = "2012-10-17"
EVERYONE = "*"


def statement(
    sid: str,
    actions: Iterable[str],
    resources: Iterable[str] | None = None,
    *,
    principal: Mapping[str, Any] | None = None,
    condition: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One Allow statement; `resources` is None only in trust policies, which have none."""
    return _statement("Allow", sid, actions, resources, principal=principal, condition=condition)


def deny(
    sid: str,
    actions: Iterable[str],
    resources: Iterable[str],
    condition: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One Deny statement for every principal, in force where `condition` holds (always when
    there is none)."""
    return _statement("Deny", sid, actions, resources, principal=EVERYONE, condition=condition)


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": list(statements)}


def _statement(
    effect: str,
    sid: str,
    actions: Iterable[str],
    resources: Iterable[str] | None,
    *,
    principal: Mapping[str, Any] | str | None,
    condition: Mapping[str, Any] | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"Sid": sid, "Effect": effect}
    if principal is not None:
        body["Principal"] = principal if isinstance(principal, str) else dict(principal)
    body["Action"] = sorted(set(actions))
    if resources is not None:
        body["Resource"] = sorted(set(resources))
    if condition:
        body["Condition"] = dict(condition)
    return body
