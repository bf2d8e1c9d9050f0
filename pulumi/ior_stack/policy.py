"""IAM policy documents as plain dicts: every statement allows, names its actions one by one and
its resources by ARN (builders below never produce `*`; the tests check the result)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

VERSION = "2012-10-17"


def statement(
    sid: str,
    actions: Iterable[str],
    resources: Iterable[str] | None = None,
    *,
    principal: Mapping[str, Any] | None = None,
    condition: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One Allow statement; `resources` is None only in trust policies, which have none."""
    body: dict[str, Any] = {"Sid": sid, "Effect": "Allow"}
    if principal is not None:
        body["Principal"] = dict(principal)
    body["Action"] = sorted(set(actions))
    if resources is not None:
        body["Resource"] = sorted(set(resources))
    if condition:
        body["Condition"] = dict(condition)
    return body


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": list(statements)}
