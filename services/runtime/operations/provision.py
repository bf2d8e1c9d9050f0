"""Apply `contracts/topology.py` to an AWS-compatible endpoint (moto, LocalStack) with boto3.

Every step is idempotent: `ior up` can run any number of times. `plan()` is the same topology as a
set of resource descriptions; the Pulumi tests compare the Pulumi program's resources with it, so
the emulators and AWS cannot drift apart.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog
from botocore.exceptions import ClientError

from contracts.topology import (
    DLQ_RETENTION_SECONDS,
    TOPOLOGY,
    Bucket,
    BucketNotification,
    Queue,
    Subscription,
    Table,
    Topology,
)
from services.runtime.aws.clients import AwsClients
from services.runtime.aws.names import NameResolver
from services.runtime.errors import TableKeyDrift

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import LifecycleRuleTypeDef

log = structlog.get_logger("ior.provision")


@dataclass(frozen=True)
class PlannedResource:
    """One resource as data: `kind`, `name`, and its defining attributes as sorted string pairs."""

    kind: str
    name: str
    attributes: tuple[tuple[str, str], ...] = ()


def plan(topology: Topology = TOPOLOGY) -> frozenset[PlannedResource]:
    """Everything `apply` creates, independent of any endpoint."""
    resources: set[PlannedResource] = set()
    for topic in topology.topics:
        resources.add(PlannedResource("sns_topic", topic.name))
    for queue in topology.queues:
        resources.add(PlannedResource("sqs_queue", queue.dlq_name))
        resources.add(
            PlannedResource(
                "sqs_queue",
                queue.name,
                _pairs(dead_letter_queue=queue.dlq_name, max_receive_count=queue.max_receive_count),
            )
        )
    for sub in topology.subscriptions:
        resources.add(
            PlannedResource(
                "sns_subscription",
                f"{sub.topic}->{sub.queue}",
                _pairs(
                    raw_message_delivery="true",
                    filter_policy=_filter_json(sub),
                    dead_letter_queue=topology.subscription_dlq(sub),
                ),
            )
        )
    for bucket in topology.buckets:
        resources.add(PlannedResource("s3_bucket", bucket.name, _bucket_attributes(bucket)))
    for note in topology.notifications:
        for prefix in note.prefixes:
            resources.add(
                PlannedResource("s3_notification", f"{note.bucket}/{prefix}->{note.queue}")
            )
    for table in topology.tables:
        resources.add(PlannedResource("dynamodb_table", table.name, _table_attributes(table)))
    return frozenset(resources)


def apply(clients: AwsClients, topology: Topology = TOPOLOGY) -> None:
    """Create or update every resource of `topology`; safe to run again at any time."""
    names = NameResolver(clients)
    for topic in topology.topics:
        clients.sns.create_topic(Name=topic.name)
    for queue in topology.queues:
        _apply_queue(clients, names, queue)
    for sub in topology.subscriptions:
        _apply_subscription(clients, names, sub, topology.subscription_dlq(sub))
    for table in topology.tables:
        _apply_table(clients, table)
    for bucket in topology.buckets:
        _apply_bucket(clients, bucket)
    for note in topology.notifications:
        _apply_notification(clients, names, note)
    _allow_publishers(clients, names, topology)
    log.info("topology.applied", topics=len(topology.topics), queues=len(topology.queues))


def _apply_queue(clients: AwsClients, names: NameResolver, queue: Queue) -> None:
    dlq_url = clients.sqs.create_queue(
        QueueName=queue.dlq_name,
        Attributes={"MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)},
    )["QueueUrl"]
    dlq_arn = names.queue_arn_from_url(dlq_url)
    attributes: dict[Any, str] = {
        "VisibilityTimeout": str(queue.visibility_timeout_seconds),
        "MessageRetentionPeriod": str(queue.message_retention_seconds),
        "ReceiveMessageWaitTimeSeconds": "20",
        "RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(queue.max_receive_count)}
        ),
    }
    try:
        clients.sqs.create_queue(QueueName=queue.name, Attributes=attributes)
    except ClientError as exc:
        # Not `sqs.exceptions.QueueNameExists`: SQS answers in its query-compatible code
        # (`QueueAlreadyExists`), which botocore does not map to the modelled class.
        if _code(exc) not in {"QueueAlreadyExists", "QueueNameExists"}:
            raise
        clients.sqs.set_queue_attributes(
            QueueUrl=names.queue_url(queue.name), Attributes=attributes
        )


def _apply_subscription(
    clients: AwsClients, names: NameResolver, sub: Subscription, dlq: str
) -> None:
    attributes = {
        "RawMessageDelivery": "true",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": names.queue_arn(dlq)}),
    }
    if sub.filter_policy is not None:
        attributes["FilterPolicy"] = json.dumps(sub.filter_policy)
    topic_arn, queue_arn = names.topic_arn(sub.topic), names.queue_arn(sub.queue)
    try:
        clients.sns.subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )
    except ClientError as exc:
        # SNS refuses to subscribe again with other attributes (a topology that gained one, such
        # as the redrive policy): the existing subscription is updated in place instead.
        if _code(exc) != "InvalidParameter":
            raise
        existing = clients.sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
        for found in existing:
            if found.get("Endpoint") == queue_arn:
                for name, value in attributes.items():
                    clients.sns.set_subscription_attributes(
                        SubscriptionArn=found["SubscriptionArn"],
                        AttributeName=name,
                        AttributeValue=value,
                    )


def _allow_publishers(clients: AwsClients, names: NameResolver, topology: Topology) -> None:
    """Each queue accepts messages only from the topics (and bucket) that feed it."""
    sources: dict[str, list[str]] = {}
    for sub in topology.subscriptions:
        sources.setdefault(sub.queue, []).append(names.topic_arn(sub.topic))
        # SNS itself sends what it cannot deliver to the subscription's DLQ.
        sources.setdefault(topology.subscription_dlq(sub), []).append(names.topic_arn(sub.topic))
    for note in topology.notifications:
        sources.setdefault(note.queue, []).append(f"arn:aws:s3:::{note.bucket}")
    for queue, arns in sources.items():
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ior-publishers",
                    "Effect": "Allow",
                    "Principal": {"Service": ["sns.amazonaws.com", "s3.amazonaws.com"]},
                    "Action": "sqs:SendMessage",
                    "Resource": names.queue_arn(queue),
                    "Condition": {"ArnEquals": {"aws:SourceArn": sorted(arns)}},
                }
            ],
        }
        clients.sqs.set_queue_attributes(
            QueueUrl=names.queue_url(queue), Attributes={"Policy": json.dumps(policy)}
        )


def _apply_table(clients: AwsClients, table: Table) -> None:
    request: dict[str, Any] = {
        "TableName": table.name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"} for name in table.key_attributes
        ],
        "KeySchema": _key_schema(table.partition_key, table.sort_key),
    }
    if table.indexes:
        request["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": _key_schema(index.partition_key, index.sort_key),
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in table.indexes
        ]
    try:
        clients.dynamodb.create_table(**request)
        clients.dynamodb.get_waiter("table_exists").wait(
            TableName=table.name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
    except clients.dynamodb.exceptions.ResourceInUseException:
        _check_key_schema(clients, table, request["KeySchema"])
    if table.ttl_attribute:
        _enable_ttl(clients, table.name, table.ttl_attribute)


def _check_key_schema(clients: AwsClients, table: Table, wanted: list[dict[str, str]]) -> None:
    """A table's key cannot change in place: one left from an older topology is named, not used
    (every read and write of it would fail with a ValidationException)."""
    described = clients.dynamodb.describe_table(TableName=table.name)["Table"]["KeySchema"]
    found = sorted(f"{key['AttributeName']} ({key['KeyType']})" for key in described)
    expected = sorted(f"{key['AttributeName']} ({key['KeyType']})" for key in wanted)
    if found != expected:
        raise TableKeyDrift(table.name, found, expected)


def _enable_ttl(clients: AwsClients, table: str, attribute: str) -> None:
    current = clients.dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    if current.get("TimeToLiveStatus") in {"ENABLED", "ENABLING"}:
        return
    clients.dynamodb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute}
    )


def _apply_bucket(clients: AwsClients, bucket: Bucket) -> None:
    request: dict[str, Any] = {"Bucket": bucket.name}
    if clients.s3.meta.region_name != "us-east-1":
        request["CreateBucketConfiguration"] = {"LocationConstraint": clients.s3.meta.region_name}
    if bucket.object_lock:
        request["ObjectLockEnabledForBucket"] = True
    exists = (
        clients.s3.exceptions.BucketAlreadyOwnedByYou,
        clients.s3.exceptions.BucketAlreadyExists,
    )
    with contextlib.suppress(*exists):
        clients.s3.create_bucket(**request)
    if bucket.object_lock:
        clients.s3.put_object_lock_configuration(
            Bucket=bucket.name,
            ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {
                    "DefaultRetention": {
                        "Mode": bucket.object_lock.mode,  # type: ignore[typeddict-item]
                        "Days": bucket.object_lock.retention_days,
                    }
                },
            },
        )
    rules = _lifecycle_rules(bucket)
    if rules:
        clients.s3.put_bucket_lifecycle_configuration(
            Bucket=bucket.name, LifecycleConfiguration={"Rules": rules}
        )


def _lifecycle_rules(bucket: Bucket) -> list[LifecycleRuleTypeDef]:
    rule: dict[str, Any] = {"ID": f"{bucket.name}-lifecycle", "Status": "Enabled", "Filter": {}}
    if bucket.transitions:
        rule["Transitions"] = [
            {"Days": t.days, "StorageClass": t.storage_class} for t in bucket.transitions
        ]
    if bucket.expiration_days:
        rule["Expiration"] = {"Days": bucket.expiration_days}
    return [rule] if len(rule) > 3 else []  # type: ignore[list-item]


def _apply_notification(clients: AwsClients, names: NameResolver, note: BucketNotification) -> None:
    clients.s3.put_bucket_notification_configuration(
        Bucket=note.bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": f"{note.queue}-{prefix.strip('/')}",
                    "QueueArn": names.queue_arn(note.queue),
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}},
                }
                for prefix in note.prefixes
            ]
        },
    )


def _key_schema(partition_key: str, sort_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition_key, "KeyType": "HASH"}]
    if sort_key:
        schema.append({"AttributeName": sort_key, "KeyType": "RANGE"})
    return schema


def _pairs(**attributes: object) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted((key, str(value)) for key, value in attributes.items() if value is not None)
    )


def _filter_json(sub: Subscription) -> str | None:
    return None if sub.filter_policy is None else json.dumps(sub.filter_policy, sort_keys=True)


def _bucket_attributes(bucket: Bucket) -> tuple[tuple[str, str], ...]:
    lock = bucket.object_lock
    return _pairs(
        object_lock=f"{lock.mode}:{lock.retention_days}" if lock else None,
        transitions=",".join(f"{t.days}:{t.storage_class}" for t in bucket.transitions) or None,
        expiration_days=bucket.expiration_days,
    )


def _table_attributes(table: Table) -> tuple[tuple[str, str], ...]:
    return _pairs(
        partition_key=table.partition_key,
        sort_key=table.sort_key,
        indexes=",".join(f"{i.name}:{i.partition_key}:{i.sort_key or ''}" for i in table.indexes)
        or None,
        ttl_attribute=table.ttl_attribute,
    )


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
