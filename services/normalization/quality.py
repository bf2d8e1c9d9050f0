"""The quality rules of DOMAIN.md §2 and the findings they produce.

A finding names where (feed, extract, record index), what (field, value) and which rule; its
severity comes from the rule. A finding about a material (its weights, classification, metal
origins, master record) also names the material, so that its findings can be read together.
An error keeps an invoice line out of the normalized dataset (it is listed in the quality report
instead); a warning does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from contracts.events import Severity


class Rule(StrEnum):
    HTS_MALFORMED = "hts-missing-or-malformed"
    HTS_NOT_VALID_AT_ENTRY = "hts-not-in-zfmior003-at-entry-date"
    # Valid at the entry date, but not within the days after it: the next shipments would fail.
    HTS_EXPIRES_SOON = "hts-expires-soon"
    # No weight record valid at the entry date: customs cannot compute the net weight.
    WEIGHT_MISSING = "no-weight-record-valid-at-entry-date"
    WEIGHT_NOT_POSITIVE = "weight-zero-or-negative"
    METAL_OVER_NET = "steel-plus-aluminum-over-net"
    COUNTRY_INVALID = "country-of-origin-invalid"
    METAL_ORIGIN_MISSING = "metal-origin-country-missing"
    MATERIAL_NOT_IN_MASTER = "material-not-in-master"
    UNIT_NOT_BASE_UNIT = "unit-not-base-unit"  # weights are per base unit
    EXCHANGE_RATE_MISSING = "exchange-rate-missing"
    NO_TARIFF_RULE = "no-tariff-rule-matches"
    CUSTOMER_REVIEW = "customer-match-for-review"
    CUSTOMER_UNMATCHED = "customer-unmatched"
    RULES_EQUALLY_SPECIFIC = "tariff-rules-equally-specific"
    INVOICE_SPANS_ENTRIES = "invoice-spans-several-entries"
    SNAPSHOT_OUTDATED = "snapshot-older-than-the-one-in-force"

    @property
    def severity(self) -> Severity:
        return _WARNINGS.get(self, Severity.ERROR)


# The customer is not a customs field, and a missing tariff rule may be right (a duty-free good
# from a country without programs): these are for a person to look at, not reasons to hold a line.
# Equally specific rules are decided deterministically (lower sequence, then rule_id), an
# outdated snapshot changes nothing, an invoice over several entries pays each entry's fees:
# all are for SAP to tidy up. An HTS row about to end still classifies this line correctly.
_WARNINGS = {
    Rule.HTS_EXPIRES_SOON: Severity.WARNING,
    Rule.NO_TARIFF_RULE: Severity.WARNING,
    Rule.CUSTOMER_REVIEW: Severity.WARNING,
    Rule.CUSTOMER_UNMATCHED: Severity.WARNING,
    Rule.RULES_EQUALLY_SPECIFIC: Severity.WARNING,
    Rule.INVOICE_SPANS_ENTRIES: Severity.WARNING,
    Rule.SNAPSHOT_OUTDATED: Severity.WARNING,
}


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
