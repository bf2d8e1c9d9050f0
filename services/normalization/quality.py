"""The findings of the quality rules of DOMAIN.md §2 (named in `contracts.quality_rules`).

A finding names where (feed, extract, record index), what (field, value) and which rule; its
severity comes from the rule. A finding about a material (its weights, classification, metal
origins, master record) also names the material, so that its findings can be read together.
An error keeps an invoice line out of the normalized dataset (it is listed in the quality report
instead); a warning does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from contracts.events import Severity
from contracts.quality_rules import Rule


@dataclass(frozen=True)
class Issue:
    """What a check found in one record: the field, its value and the rule, with a sentence;
    the material (and its description when the record has one) when it is about a material."""

    field: str
    value: str | None
    rule: Rule
    detail: str
    material: str | None = None
    material_description: str | None = None


def about_material(
    issues: Iterable[Issue], material: str, description: str | None = None
) -> list[Issue]:
    """The issues, each naming the material they are about."""
    return [replace(issue, material=material, material_description=description) for issue in issues]


@dataclass(frozen=True)
class Finding:
    """An issue placed in its extract: what the quality report lists (`record_index` None: the
    finding is about the extract as a whole)."""

    feed: str
    extract_id: str
    record_index: int | None
    field: str
    value: str | None
    rule: Rule
    detail: str
    material: str | None = None
    material_description: str | None = None

    @classmethod
    def of(cls, issue: Issue, feed: str, extract_id: str, record_index: int) -> Finding:
        return cls(
            feed,
            extract_id,
            record_index,
            issue.field,
            issue.value,
            issue.rule,
            issue.detail,
            issue.material,
            issue.material_description,
        )

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR
