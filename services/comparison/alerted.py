"""What has been alerted of a calculation's comparison already (`comparisons/alerted/`).

A calculation is compared again when SAP declares more of its invoices, or corrects them
(DOMAIN.md §4); only what is new is alerted: an unchanged result raises no second alert, and the
rest of a partial ZSDR002 does not repeat the failures of its first part. The set is written only
after the run's events are published, so a run that failed to publish alerts again when retried.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from contracts.topology import BUCKET_PROCESSED
from services.comparison.results import ComparisonResult
from services.runtime.aws.blobs import BlobStore
from services.runtime.errors import ObjectMissing


def findings_of(result: ComparisonResult) -> set[str]:
    """Each difference of a result as one line of text (line, field, both values)."""
    found = {
        f"{line.key} {d.field}: ours {d.ours}, SAP {d.theirs}"
        for line in result.failures
        for d in line.discrepancies
    }
    found |= {f"{line.key}: ours only" for line in result.ours_only}
    found |= {f"{line.key}: SAP only" for line in result.theirs_only}
    found |= {
        f"{line.key}: SAP declared it, ior did not: {line.reason}" for line in result.held_back
    }
    return found


class AlertedFindings:
    def __init__(self, blobs: BlobStore, bucket: str = BUCKET_PROCESSED) -> None:
        self._blobs = blobs
        self._bucket = bucket

    def of(self, calc_id: str) -> set[str]:
        try:
            return set(json.loads(self._blobs.get(self._bucket, _key(calc_id))))
        except ObjectMissing:
            return set()

    def add(self, calc_id: str, findings: Iterable[str]) -> None:
        alerted = sorted(self.of(calc_id) | set(findings))
        body = json.dumps(alerted, indent=1).encode()
        self._blobs.put(self._bucket, _key(calc_id), body, content_type="application/json")


def _key(calc_id: str) -> str:
    return f"comparisons/alerted/{calc_id}.json"
