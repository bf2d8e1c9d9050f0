"""Where normalization writes in the processed bucket; every key derives from the extract, so a
re-run overwrites the same objects instead of adding new ones."""

from __future__ import annotations

from datetime import date

from contracts.events import ExtractAcceptedV1

INVOICES_DATASET = "normalized/invoices/"


def _stem(accepted: ExtractAcceptedV1) -> str:
    return f"{accepted.extract_id}-{accepted.sha256[:12]}"


def invoice_lines_key(accepted: ExtractAcceptedV1) -> str:
    # Outside the Parquet dataset's folder, so that readers of the dataset see Parquet only.
    return f"normalized/invoice-lines/{_stem(accepted)}.jsonl"


def held_back_lines_key(accepted: ExtractAcceptedV1) -> str:
    return f"normalized/held-back-lines/{_stem(accepted)}.jsonl"


def rejected_lines_key(accepted: ExtractAcceptedV1) -> str:
    return f"normalized/rejected-lines/{_stem(accepted)}.jsonl"


def invoice_partition_key(accepted: ExtractAcceptedV1, entry_date: date) -> str:
    return f"{INVOICES_DATASET}entry_date={entry_date.isoformat()}/{_stem(accepted)}.parquet"


def invoice_manifest_key(accepted: ExtractAcceptedV1) -> str:
    # Dataset readers skip folders starting with "_", so the manifest can live beside the data.
    return f"{INVOICES_DATASET}_manifests/{_stem(accepted)}.json"


def declared_lines_key(accepted: ExtractAcceptedV1) -> str:
    return f"normalized/declared/{_stem(accepted)}.jsonl"


def quality_report_key(accepted: ExtractAcceptedV1) -> str:
    return f"quality/{accepted.feed}/{_stem(accepted)}.json"
