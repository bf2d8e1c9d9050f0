"""Least-privilege IAM for one service, derived from its `Service` entry in the topology.

What a service may touch is data (`contracts/topology.py`); this module only says which actions
each kind of use needs. Nothing is granted on `*`: `sts:GetCallerIdentity`, which the runtime uses
to build topic ARNs, needs no permission.

Three grants are narrower than their resource: a service reads and writes only its own keys in
the shared idempotency table (they start with `<service>:`, `dynamodb:LeadingKeys`); an
append-only table (the audit index) takes new items (conditional puts, in transactions) and
updates of its mutable attributes only, never `BatchWriteItem`, whose deletes IAM cannot tell
from its puts; and the stack key serves a role only through the AWS services it uses, for its own
buckets and tables (`kms:ViaService`, encryption context).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contracts.topology import TABLE_IDEMPOTENCY, Access, ApiFace, BucketGrant, Service, Topology
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
# What `IdempotencyStore` calls, each on one key: a Query or Scan would read other services' keys.
IDEMPOTENCY_ACTIONS = (
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
)
APPEND_ACTIONS = ("dynamodb:PutItem",)
UPDATE_ACTIONS = ("dynamodb:UpdateItem",)
INDEX_ACTIONS = ("dynamodb:Query", "dynamodb:Scan")
OBJECT_READ = "s3:GetObject"
BUCKET_LIST = "s3:ListBucket"
OBJECT_WRITE = "s3:PutObject"
OBJECT_RETAIN = "s3:PutObjectRetention"
# `read_write` and `read_delete` on a prefix include removing objects: ingestion moves a rejected
# file whole to quarantine/ (copy, then delete).
OBJECT_DELETE = "s3:DeleteObject"
KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
# The encryption context S3 (with bucket keys: the bucket's ARN) and DynamoDB give the key.
S3_KEY_CONTEXT = "kms:EncryptionContext:aws:s3:arn"
DYNAMODB_KEY_CONTEXT = "kms:EncryptionContext:aws:dynamodb:tableName"
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
    region: str


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
    statements += _key_statements(service, arns)
    statements.append(
        statement("WriteOwnLogs", LOG_ACTIONS, [log_group_arn, f"{log_group_arn}:log-stream:*"])
    )
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
    statements += _key_statements(face, arns)
    statements.append(
        statement("WriteOwnLogs", LOG_ACTIONS, [log_group_arn, f"{log_group_arn}:log-stream:*"])
    )
    return document(*statements)


def _queues_of(service: Service, topology: Topology) -> tuple[str, str]:
    queue = topology.queue(service.queue)
    return queue.name, queue.dlq_name


def _key_statements(service: Service | ApiFace, arns: ResourceArns) -> list[dict[str, Any]]:
    """The stack key through SQS and SNS (encrypted queues and topics), and through S3 and
    DynamoDB for the service's own buckets and tables only."""

    def via(aws_service: str, context: dict[str, Any] | None = None) -> dict[str, Any]:
        condition = {
            "StringEquals": {"kms:ViaService": f"{aws_service}.{arns.region}.amazonaws.com"}
        }
        if context:
            condition["StringEquals"].update(context)
        return statement(
            f"UseStackKeyVia{aws_service.title()}", KEY_ACTIONS, [arns.key], condition=condition
        )

    statements = [via("sqs")]
    if service.publishes:
        statements.append(via("sns"))
    buckets = sorted({arns.buckets[grant.bucket] for grant in service.buckets})
    if buckets:
        statements.append(via("s3", {S3_KEY_CONTEXT: buckets}))
    statements.append(via("dynamodb", {DYNAMODB_KEY_CONTEXT: sorted(service.tables)}))
    return statements


def _table_statements(
    service: Service | ApiFace, topology: Topology, arns: ResourceArns
) -> list[dict[str, Any]]:
    def tables(*accesses: Access) -> list[str]:
        return sorted(
            name
            for name, access in service.tables.items()
            if access in accesses and name != TABLE_IDEMPOTENCY
        )

    read = [arns.tables[name] for name in tables(Access.READ)]
    written = [arns.tables[name] for name in tables(Access.WRITE, Access.READ_WRITE)]
    appended = tables(Access.APPEND)
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
    if appended:
        actions = TABLE_READ_ACTIONS + APPEND_ACTIONS
        tables_arns = [arns.tables[name] for name in appended]
        statements.append(statement("ReadAndAddToAppendOnlyTables", actions, tables_arns))
        statements += [_mutable_attributes(topology, name, arns) for name in appended]
    if TABLE_IDEMPOTENCY in service.tables:
        statements.append(
            statement(
                "OwnIdempotencyKeys",
                IDEMPOTENCY_ACTIONS,
                [arns.tables[TABLE_IDEMPOTENCY]],
                condition={
                    "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"{service.name}:*"]}
                },
            )
        )
    if indexes:
        statements.append(statement("QueryIndexes", INDEX_ACTIONS, indexes))
    return statements


def _mutable_attributes(topology: Topology, table: str, arns: ResourceArns) -> dict[str, Any]:
    """UpdateItem on an append-only table, touching only its key and mutable attributes."""
    spec = topology.table(table)
    keys = [key for key in (spec.partition_key, spec.sort_key) if key]
    return statement(
        f"Update{''.join(part.title() for part in table.split('-'))}MutableAttributes",
        UPDATE_ACTIONS,
        [arns.tables[table]],
        condition={
            "ForAllValues:StringEquals": {
                "dynamodb:Attributes": sorted({*keys, *spec.mutable_attributes})
            },
            # An update that answers with the item's values would read other attributes too.
            "StringEqualsIfExists": {"dynamodb:ReturnValues": ["NONE"]},
        },
    )


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
        if grant.access in _READ:
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
    if grant.access in _READ:
        actions.append(OBJECT_READ)
    if grant.access in (Access.WRITE, Access.READ_WRITE):
        actions.append(OBJECT_WRITE)
        # Writes to a locked bucket set each object's retention explicitly.
        if topology.bucket(grant.bucket).object_lock is not None:
            actions.append(OBJECT_RETAIN)
    if grant.access in (Access.READ_WRITE, Access.READ_DELETE):
        actions.append(OBJECT_DELETE)
    return tuple(actions)


_READ = (Access.READ, Access.READ_WRITE, Access.READ_DELETE)
