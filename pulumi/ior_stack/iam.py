"""Least-privilege IAM for one service, derived from its `Service` entry in the topology.

What a service may touch is data (`contracts/topology.py`); this module only says which actions
each kind of use needs. Nothing is granted on `*`: `sts:GetCallerIdentity`, which the runtime uses
to build topic ARNs, needs no permission.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contracts.topology import Access, ApiFace, BucketGrant, Service, Topology
from ior_stack.policy import document, statement

# The event source mapping polls with the function's role; the runtime resolves queue URLs.
CONSUME_ACTIONS = (
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:ReceiveMessage",
)
# The runtime dead-letters permanent failures itself, after resolving the DLQ's URL by name.
DEAD_LETTER_ACTIONS = ("sqs:GetQueueUrl", "sqs:SendMessage")
PUBLISH_ACTIONS = ("sns:Publish",)
TABLE_READ_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
)
TABLE_WRITE_ACTIONS = (
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
)
INDEX_ACTIONS = ("dynamodb:Query", "dynamodb:Scan")
OBJECT_READ = "s3:GetObject"
BUCKET_LIST = "s3:ListBucket"
OBJECT_WRITE = "s3:PutObject"
OBJECT_RETAIN = "s3:PutObjectRetention"
# `read_write` on a prefix includes removing objects: ingestion moves a rejected file whole to
# quarantine/ (copy, then delete).
OBJECT_DELETE = "s3:DeleteObject"
KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
LAMBDA_TRUST_ACTIONS = ("sts:AssumeRole",)
# An API face: pipeline status reads every queue's depth; the DLQ routes peek (receive, then
# make visible again), replay (message by message, or a move task) and purge.
INSPECT_QUEUE_ACTIONS = ("sqs:GetQueueAttributes", "sqs:GetQueueUrl")
DLQ_OPERATE_ACTIONS = (
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:ListMessageMoveTasks",
    "sqs:PurgeQueue",
    "sqs:ReceiveMessage",
    "sqs:StartMessageMoveTask",
)
REPLAY_TO_QUEUE_ACTIONS = ("sqs:SendMessage",)


@dataclass(frozen=True)
class ResourceArns:
    """The ARNs of the topology's resources, by topology name, once they are known."""

    queues: Mapping[str, str]  # service queues and DLQs
    topics: Mapping[str, str]
    tables: Mapping[str, str]
    buckets: Mapping[str, str]
    key: str


def lambda_trust_policy(account_id: str) -> dict[str, Any]:
    return document(
        statement(
            "LambdaAssumesRole",
            LAMBDA_TRUST_ACTIONS,
            principal={"Service": "lambda.amazonaws.com"},
            condition={"StringEquals": {"aws:SourceAccount": account_id}},
        )
    )


def service_policy(
    service: Service, topology: Topology, arns: ResourceArns, log_group_arn: str
) -> dict[str, Any]:
    queue = topology.queue(service.queue)
    statements = [
        statement("ConsumeOwnQueue", CONSUME_ACTIONS, [arns.queues[queue.name]]),
        statement("DeadLetterToOwnQueue", DEAD_LETTER_ACTIONS, [arns.queues[queue.dlq_name]]),
    ]
    if service.publishes:
        topics = [arns.topics[topic] for topic in service.publishes]
        statements.append(statement("PublishOwnTopics", PUBLISH_ACTIONS, topics))
    statements += _table_statements(service, topology, arns)
    statements += _object_statements(service, topology, arns)
    statements += [
        statement("UseStackKey", KEY_ACTIONS, [arns.key]),
        statement("WriteOwnLogs", LOG_ACTIONS, [log_group_arn, f"{log_group_arn}:log-stream:*"]),
    ]
    return document(*statements)


def api_policy(
    face: ApiFace, topology: Topology, arns: ResourceArns, log_group_arn: str
) -> dict[str, Any]:
    """What an API face may do: its tables and prefixes like a service, its topics, and the
    queues it inspects or operates (no queue is its own to consume)."""
    queues = [queue for service in topology.services for queue in _queues_of(service, topology)]
    dlqs = [arns.queues[topology.queue(s.queue).dlq_name] for s in topology.services]
    service_queues = [arns.queues[s.queue] for s in topology.services]
    statements = []
    if face.inspects_queues:
        statements.append(
            statement("InspectQueues", INSPECT_QUEUE_ACTIONS, [arns.queues[q] for q in queues])
        )
    if face.operates_dlqs:
        statements += [
            statement("OperateDeadLetters", DLQ_OPERATE_ACTIONS, dlqs),
            statement("ReplayToServiceQueues", REPLAY_TO_QUEUE_ACTIONS, service_queues),
        ]
    if face.publishes:
        topics = [arns.topics[topic] for topic in face.publishes]
        statements.append(statement("PublishOwnTopics", PUBLISH_ACTIONS, topics))
    statements += _table_statements(face, topology, arns)
    statements += _object_statements(face, topology, arns)
    statements += [
        statement("UseStackKey", KEY_ACTIONS, [arns.key]),
        statement("WriteOwnLogs", LOG_ACTIONS, [log_group_arn, f"{log_group_arn}:log-stream:*"]),
    ]
    return document(*statements)


def _queues_of(service: Service, topology: Topology) -> tuple[str, str]:
    queue = topology.queue(service.queue)
    return queue.name, queue.dlq_name


def _table_statements(
    service: Service | ApiFace, topology: Topology, arns: ResourceArns
) -> list[dict[str, Any]]:
    read = [arns.tables[name] for name, access in service.tables.items() if access is Access.READ]
    written = [
        arns.tables[name] for name, access in service.tables.items() if access is not Access.READ
    ]
    indexes = [
        f"{arns.tables[name]}/index/{index.name}"
        for name in service.tables
        for index in topology.table(name).indexes
    ]
    statements = []
    if read:
        statements.append(statement("ReadTables", TABLE_READ_ACTIONS, read))
    if written:
        actions = TABLE_READ_ACTIONS + TABLE_WRITE_ACTIONS
        statements.append(statement("ReadWriteTables", actions, written))
    if indexes:
        statements.append(statement("QueryIndexes", INDEX_ACTIONS, indexes))
    return statements


def _object_statements(
    service: Service | ApiFace, topology: Topology, arns: ResourceArns
) -> list[dict[str, Any]]:
    """One statement per S3 action, listing every prefix the action is granted on."""
    prefixes_by_action: dict[str, list[str]] = defaultdict(list)
    for grant in service.buckets:
        for action in _object_actions(grant, topology):
            prefixes_by_action[action].append(f"{arns.buckets[grant.bucket]}/{grant.prefix}*")
    statements = [
        statement(f"Objects{action.removeprefix('s3:')}", [action], prefixes)
        for action, prefixes in sorted(prefixes_by_action.items())
    ]
    return statements + _listing_statements(service, arns)


def _listing_statements(service: Service | ApiFace, arns: ResourceArns) -> list[dict[str, Any]]:
    """`s3:ListBucket` limited to the prefixes a service reads.

    Without it S3 answers 403 instead of 404 for a missing key, and a service could not tell
    "not written yet" (comparison waiting for SAP) or "object gone" from "access denied".
    """
    prefixes_by_bucket: dict[str, list[str]] = defaultdict(list)
    for grant in service.buckets:
        if grant.access in (Access.READ, Access.READ_WRITE):
            prefixes_by_bucket[grant.bucket].append(f"{grant.prefix}*")
    return [
        statement(
            f"List{''.join(part.title() for part in bucket.split('-'))}",
            [BUCKET_LIST],
            [arns.buckets[bucket]],
            condition={"StringLike": {"s3:prefix": sorted(prefixes)}},
        )
        for bucket, prefixes in sorted(prefixes_by_bucket.items())
    ]


def _object_actions(grant: BucketGrant, topology: Topology) -> tuple[str, ...]:
    actions = []
    if grant.access in (Access.READ, Access.READ_WRITE):
        actions.append(OBJECT_READ)
    if grant.access in (Access.WRITE, Access.READ_WRITE):
        actions.append(OBJECT_WRITE)
        # Writes to a locked bucket set each object's retention explicitly.
        if topology.bucket(grant.bucket).object_lock is not None:
            actions.append(OBJECT_RETAIN)
    if grant.access is Access.READ_WRITE:
        actions.append(OBJECT_DELETE)
    return tuple(actions)
