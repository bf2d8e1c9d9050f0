"""The one customer-managed KMS key that encrypts every topic, queue, bucket, table and log group.

Its policy names the key's own ARN instead of `*` and lists actions one by one. Besides the
account (through which IAM grants the deployer and the service roles), it admits only the AWS
services that write into our encrypted queues, topics and log groups, each for the sources the
topology defines: SNS for our topics, S3 for the notifying buckets, CloudWatch Logs for the service
log groups, CloudWatch for the alarms that notify the alerts topic.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from contracts.topology import PROJECT, Topology
from ior_stack import names
from ior_stack.account import Account
from ior_stack.policy import document, statement
from ior_stack.tags import Tagger

# What the account may delegate through IAM: administration, the grants DynamoDB and Lambda create
# on the deployer's behalf, and use. Listed one by one instead of `kms:*`.
ACCOUNT_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListGrants",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)
DELIVERY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
LOGS_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)


def key_policy(
    *,
    key_arn: str,
    account_root: str,
    region: str,
    topic_arns: Sequence[str],
    notifying_bucket_arns: Sequence[str],
    log_group_arns: Sequence[str],
) -> dict[str, Any]:
    def from_sources(key: str, arns: Sequence[str]) -> dict[str, Any]:
        return {"ArnEquals": {key: sorted(set(arns))}}

    return document(
        statement(
            "AccountAdministersAndDelegates",
            ACCOUNT_ACTIONS,
            [key_arn],
            principal={"AWS": account_root},
        ),
        statement(
            "TopicsDeliverToEncryptedQueues",
            DELIVERY_ACTIONS,
            [key_arn],
            principal={"Service": "sns.amazonaws.com"},
            condition=from_sources("aws:SourceArn", topic_arns),
        ),
        statement(
            "BucketsNotifyEncryptedQueues",
            DELIVERY_ACTIONS,
            [key_arn],
            principal={"Service": "s3.amazonaws.com"},
            condition=from_sources("aws:SourceArn", notifying_bucket_arns),
        ),
        # Unconditioned: alarm actions carry no source ARN to check. Which topic an alarm may
        # notify is up to the topic, and the key serves nothing but this stack.
        statement(
            "AlarmsNotifyEncryptedTopic",
            DELIVERY_ACTIONS,
            [key_arn],
            principal={"Service": "cloudwatch.amazonaws.com"},
        ),
        statement(
            "LogsEncryptServiceLogGroups",
            LOGS_ACTIONS,
            [key_arn],
            principal={"Service": f"logs.{region}.amazonaws.com"},
            condition=from_sources("kms:EncryptionContext:aws:logs:arn", log_group_arns),
        ),
    )


def create_key(topology: Topology, account: Account, tagger: Tagger) -> pulumi.Output[str]:
    """Creates the key, its alias and its policy; returns the key's ARN.

    The ARN returned resolves only once the policy is in place, so whatever uses it waits for the
    policy: S3 sends a test message to the encrypted queue when a notification is created, and
    CloudWatch Logs checks the key when an encrypted log group is.
    """
    key = aws.kms.Key(
        PROJECT,
        description=f"{PROJECT}: topics, queues, buckets, tables and log groups",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        tags=tagger.shared(),
    )
    aws.kms.Alias(PROJECT, name=names.KEY_ALIAS, target_key_id=key.key_id)
    # Built from names, not resource outputs: the topics and log groups need the key first.
    inputs = pulumi.Output.all(
        key_arn=key.arn,
        account_root=account.root_arn(),
        region=account.region,
        topic_arns=[account.arn("sns", topic.name) for topic in topology.topics],
        notifying_bucket_arns=[account.bucket_arn(n.bucket) for n in topology.notifications],
        log_group_arns=[
            account.arn("logs", f"log-group:{names.log_group_name(name)}")
            for name in [s.name for s in topology.services] + [f.name for f in topology.api_faces]
        ],
    )
    policy = aws.kms.KeyPolicy(
        PROJECT,
        key_id=key.key_id,
        policy=inputs.apply(lambda values: json.dumps(key_policy(**values))),
    )
    return pulumi.Output.all(key.arn, policy.id).apply(lambda values: values[0])
