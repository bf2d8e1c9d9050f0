"""What every bucket refuses, whoever asks: plain HTTP, objects under another key than the stack's,
and in the locked audit bucket any write that could add a version to a key already written.

The services' puts send no encryption headers: the bucket default (SSE-KMS with the stack key)
applies, so the encryption conditions hold only where a header is sent (`…IfExists`). The audit
service writes with `If-None-Match: *`; a put without it, or a delete (after which a put would
find the key absent), is refused, so each audit key has one version: the one audit wrote. As a
consequence nothing can be copied into the audit bucket (S3 refuses conditional copies).
"""

from __future__ import annotations

from typing import Any

from ior_stack.policy import deny, document

KMS = "aws:kms"


def bucket_policy(*, bucket_arn: str, key_arn: str, write_once: bool) -> dict[str, Any]:
    objects = f"{bucket_arn}/*"
    statements = [
        deny(
            "DenyPlainHttp",
            ["s3:*"],
            [bucket_arn, objects],
            {"Bool": {"aws:SecureTransport": "false"}},
        ),
        deny(
            "DenyPutsEncryptedOtherwise",
            ["s3:PutObject"],
            [objects],
            {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": KMS}},
        ),
        deny(
            "DenyPutsUnderAnotherKey",
            ["s3:PutObject"],
            [objects],
            {
                "StringNotEqualsIfExists": {
                    "s3:x-amz-server-side-encryption-aws-kms-key-id": key_arn
                }
            },
        ),
    ]
    if write_once:
        statements += [
            deny(
                "DenyPutsThatMayOverwrite",
                ["s3:PutObject"],
                [objects],
                {"Null": {"s3:if-none-match": "true"}},
            ),
            deny("DenyDeletes", ["s3:DeleteObject", "s3:DeleteObjectVersion"], [objects]),
        ]
    return document(*statements)
