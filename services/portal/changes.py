"""What the read model is asked to do: the vocabulary between the projection (pure) and the
store (DynamoDB). Every change is idempotent and commutes with the others, so the model built
live (events in arrival order) equals the one rebuilt from the audit bucket (in time order)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Item = dict[str, Any]


@dataclass(frozen=True)
class SetFields:
    """Set these attributes of the views item at (pk, sk), creating it if absent.

    `newer_than` names an attribute that must be absent or smaller than the value given under
    the same name in `fields`: a late older event never overwrites a newer one.
    """

    pk: str
    sk: str
    fields: Item
    newer_than: str | None = None


@dataclass(frozen=True)
class AddToSets:
    """Add strings to string-set attributes of the views item at (pk, sk)."""

    pk: str
    sk: str
    sets: dict[str, frozenset[str]]


@dataclass(frozen=True)
class Supersede:
    """`superseded_by` replaced `calc_id` for `invoice_number`: its lines leave the current set."""

    invoice_number: str
    calc_id: str
    superseded_by: str


@dataclass(frozen=True)
class PutLines:
    """Current customs lines of one calculation (items of the lines table)."""

    calc_id: str
    lines: tuple[Item, ...]


@dataclass(frozen=True)
class Changes:
    views: tuple[SetFields | AddToSets, ...] = ()
    supersessions: tuple[Supersede, ...] = ()
    lines: tuple[PutLines, ...] = field(default_factory=tuple)
