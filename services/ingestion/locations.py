"""Where a file landed in the raw bucket says how to read it.

- `sap/{FEED}/{yyyy}/{mm}/{dd}/{extract_id}.json` — an SAP push;
- `upload/{FEED}/{any-name}.csv|.xlsx` — the manual fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

from contracts.topology import RAW_SAP_PREFIX, RAW_UPLOAD_PREFIX
from services.ingestion.errors import ExtractUnreadable

# Matched whole (`fullmatch`): a `$` would also match before a trailing newline.
_SAP_KEY = re.compile(r"sap/(?P<feed>[^/]+)/[0-9]{4}/[0-9]{2}/[0-9]{2}/(?P<name>[^/]+)")
_UPLOAD_KEY = re.compile(r"upload/(?P<feed>[^/]+)/(?P<name>[^/]+)")
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,200}")
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_SHORT_NAME_CHARS = 100


class FileFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class SourceLocation:
    key: str
    feed: str
    name: str
    file_format: FileFormat

    @property
    def stem(self) -> str:
        return PurePosixPath(self.name).stem

    @property
    def is_upload(self) -> bool:
        return self.key.startswith(RAW_UPLOAD_PREFIX)


def parse_location(key: str) -> SourceLocation:
    """The feed, name and format a raw-bucket key stands for; `ExtractUnreadable` otherwise."""
    if ".." in key.split("/") or "\\" in key or "\x00" in key:
        raise ExtractUnreadable("key must not contain '..', '\\' or NUL", field="key", value=key)
    match = _SAP_KEY.fullmatch(key) or _UPLOAD_KEY.fullmatch(key)
    if match is None:
        raise ExtractUnreadable(
            f"key must be {RAW_SAP_PREFIX}{{FEED}}/yyyy/mm/dd/{{extract_id}}.json or "
            f"{RAW_UPLOAD_PREFIX}{{FEED}}/{{name}}.csv|.xlsx",
            field="key",
            value=key,
        )
    name = match["name"]
    if not _SAFE_NAME.fullmatch(name):
        raise ExtractUnreadable(
            "file name may hold letters, digits, '.', '_', '-' and spaces only",
            field="key",
            value=key,
        )
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    allowed = (
        {FileFormat.JSON} if key.startswith(RAW_SAP_PREFIX) else {FileFormat.CSV, FileFormat.XLSX}
    )
    if suffix not in {fmt.value for fmt in allowed}:
        expected = " or ".join(f".{fmt.value}" for fmt in sorted(allowed))
        raise ExtractUnreadable(f"file must end in {expected}", field="key", value=key)
    return SourceLocation(key=key, feed=match["feed"], name=name, file_format=FileFormat(suffix))


def safe_name(key: str) -> str:
    """The last part of `key` fit to name a quarantine object whatever the key holds: runs of
    other characters (newlines, spaces, non-ASCII) become `_`, dots at either end are dropped (no
    name is `..`), and a long name is cut, so the key stays far inside S3's 1,024 bytes."""
    name = _UNSAFE_CHARS.sub("_", PurePosixPath(key).name).strip("._") or "file"
    return name[:_SHORT_NAME_CHARS]
