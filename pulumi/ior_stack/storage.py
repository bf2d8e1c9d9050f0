"""S3 buckets (private, versioned, SSE-KMS, with the topology's Object Lock and lifecycle, and the
policy of `bucket_policy`) and the notifications that turn new objects into messages."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from contracts.topology import Bucket, Topology
from ior_stack.bucket_policy import bucket_policy
from ior_stack.messaging import Messaging
from ior_stack.tags import Tagger

OBJECT_CREATED = "s3:ObjectCreated:*"


@dataclass(frozen=True)
class Storage:
    buckets: Mapping[str, aws.s3.Bucket]

    @property
    def arns(self) -> dict[str, pulumi.Output[str]]:
        return {name: bucket.arn for name, bucket in self.buckets.items()}


def create_buckets(topology: Topology, *, key_arn: pulumi.Output[str], tagger: Tagger) -> Storage:
    return Storage({spec.name: _bucket(spec, key_arn, tagger) for spec in topology.buckets})


def _bucket(spec: Bucket, key_arn: pulumi.Output[str], tagger: Tagger) -> aws.s3.Bucket:
    bucket = aws.s3.Bucket(
        spec.name,
        bucket=spec.name,
        object_lock_enabled=spec.object_lock is not None,
        tags=tagger.shared(),
    )
    public_access = aws.s3.BucketPublicAccessBlock(
        spec.name,
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    versioning = aws.s3.BucketVersioning(
        spec.name,
        bucket=bucket.id,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
            status="Enabled"
        ),
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        spec.name,
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="aws:kms", kms_master_key_id=key_arn
                ),
                # One data key per bucket instead of a KMS call per object.
                bucket_key_enabled=True,
            )
        ],
    )
    if spec.object_lock is not None:
        aws.s3.BucketObjectLockConfiguration(
            spec.name,
            bucket=bucket.id,
            object_lock_enabled="Enabled",
            rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                    mode=spec.object_lock.mode, days=spec.object_lock.retention_days
                )
            ),
            # Object Lock needs versioning switched on first.
            opts=pulumi.ResourceOptions(depends_on=[versioning]),
        )
    aws.s3.BucketPolicy(
        spec.name,
        bucket=bucket.id,
        policy=pulumi.Output.all(bucket.arn, key_arn).apply(
            lambda arns: json.dumps(
                bucket_policy(
                    bucket_arn=arns[0], key_arn=arns[1], write_once=spec.object_lock is not None
                )
            )
        ),
        # Two changes to one bucket's access settings at once can fail (OperationAborted).
        opts=pulumi.ResourceOptions(depends_on=[public_access]),
    )
    if spec.transitions or spec.expiration_days or spec.noncurrent_expiration_days:
        aws.s3.BucketLifecycleConfiguration(
            spec.name,
            bucket=bucket.id,
            rules=[_lifecycle_rule(spec)],
            opts=pulumi.ResourceOptions(depends_on=[versioning]),
        )
    return bucket


def _lifecycle_rule(spec: Bucket) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    noncurrent_days = spec.noncurrent_expiration_days or spec.expiration_days
    return aws.s3.BucketLifecycleConfigurationRuleArgs(
        id=f"{spec.name}-lifecycle",
        status="Enabled",
        # An empty filter applies the rule to every object in the bucket.
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(),
        transitions=[
            aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                days=transition.days, storage_class=transition.storage_class
            )
            for transition in spec.transitions
        ]
        or None,
        expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=spec.expiration_days)
        if spec.expiration_days
        else None,
        # In a versioned bucket expiry only hides the current version; this removes the data.
        noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
            noncurrent_days=noncurrent_days
        )
        if noncurrent_days
        else None,
    )


def create_notifications(topology: Topology, storage: Storage, messaging: Messaging) -> None:
    """One `BucketNotification` per bucket (S3 keeps a single configuration per bucket)."""
    for bucket in dict.fromkeys(note.bucket for note in topology.notifications):
        notes = [note for note in topology.notifications if note.bucket == bucket]
        aws.s3.BucketNotification(
            bucket,
            bucket=storage.buckets[bucket].id,
            queues=[
                aws.s3.BucketNotificationQueueArgs(
                    id=f"{note.queue}-{prefix.strip('/')}",
                    queue_arn=messaging.queues[note.queue].arn,
                    events=[OBJECT_CREATED],
                    filter_prefix=prefix,
                )
                for note in notes
                for prefix in note.prefixes
            ],
            # S3 checks it may send to each queue when the notification is saved.
            opts=pulumi.ResourceOptions(
                depends_on=[messaging.queue_policies[note.queue] for note in notes]
            ),
        )
