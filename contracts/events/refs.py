"""References to data at rest: events carry these, never the records themselves."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SHA256_PATTERN = r"^[0-9a-f]{64}$"


class ObjectRef(BaseModel):
    """One S3 object with the checksum and row count a consumer verifies before use."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    uri: str = Field(pattern=r"^s3://[a-z0-9.-]+/.+$", description="s3://bucket/key")
    sha256: str = Field(pattern=SHA256_PATTERN)
    row_count: int = Field(ge=0)
    format: str = Field(default="jsonl", description="jsonl, parquet, json or xlsx")
