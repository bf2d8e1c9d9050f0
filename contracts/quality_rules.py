"""The names of the quality rules of DOMAIN.md §2, as the quality reports carry them, and their
severities. Normalization produces findings under these names; the portal reads them (the
per-material view picks out the findings that make duty wrong)."""

from __future__ import annotations

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

# The findings that make a duty wrong for a material, as a person would call them.
DUTY_RISKS = {
    Rule.WEIGHT_MISSING: "missing weight",
    Rule.METAL_ORIGIN_MISSING: "metal without origin countries",
    Rule.HTS_EXPIRES_SOON: "HTS expiring",
}
