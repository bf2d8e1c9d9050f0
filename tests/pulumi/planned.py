"""The recorded Pulumi resources in the shape of `services.runtime.operations.provision.plan()`.

Each mapping reads only what the program sent to AWS (resource inputs), so a difference from the
plan means the emulators and AWS would not get the same topology.
"""

from __future__ import annotations

import json
from typing import Any

from services.runtime.operations.provision import PlannedResource
from tests.pulumi import tokens
from tests.pulumi.mocks import Resources


def pairs(**attributes: object) -> tuple[tuple[str, str], ...]:
    """`provision._pairs`: the defining attributes as sorted string pairs, None left out."""
    return tuple(
        sorted((key, str(value)) for key, value in attributes.items() if value is not None)
    )


def name_in_arn(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def planned_topics(resources: Resources) -> set[PlannedResource]:
    return {PlannedResource("sns_topic", t.inputs["name"]) for t in resources.of_type(tokens.TOPIC)}


def planned_queues(resources: Resources) -> set[PlannedResource]:
    planned = set()
    for queue in resources.of_type(tokens.QUEUE):
        redrive = json.loads(queue.inputs.get("redrivePolicy") or "null")
        attributes = (
            pairs(
                dead_letter_queue=name_in_arn(redrive["deadLetterTargetArn"]),
                max_receive_count=redrive["maxReceiveCount"],
            )
            if redrive
            else ()
        )
        planned.add(PlannedResource("sqs_queue", queue.inputs["name"], attributes))
    return planned


def planned_subscriptions(resources: Resources) -> set[PlannedResource]:
    planned = set()
    for sub in resources.of_type(tokens.SUBSCRIPTION):
        assert sub.inputs["protocol"] == "sqs"
        policy = sub.inputs.get("filterPolicy")
        redrive = json.loads(sub.inputs.get("redrivePolicy") or "null")
        planned.add(
            PlannedResource(
                "sns_subscription",
                f"{name_in_arn(sub.inputs['topic'])}->{name_in_arn(sub.inputs['endpoint'])}",
                pairs(
                    raw_message_delivery=str(sub.inputs.get("rawMessageDelivery")).lower(),
                    filter_policy=json.dumps(json.loads(policy), sort_keys=True)
                    if policy
                    else None,
                    dead_letter_queue=name_in_arn(redrive["deadLetterTargetArn"])
                    if redrive
                    else None,
                ),
            )
        )
    return planned


def planned_buckets(resources: Resources) -> set[PlannedResource]:
    planned = set()
    for bucket in resources.of_type(tokens.BUCKET):
        name = bucket.inputs["bucket"]
        rules = [
            rule
            for lifecycle in resources.for_bucket(tokens.LIFECYCLE, name)
            for rule in lifecycle.inputs["rules"]
        ]
        transitions = [t for rule in rules for t in rule.get("transitions", [])]
        expirations = [rule["expiration"]["days"] for rule in rules if "expiration" in rule]
        planned.add(
            PlannedResource(
                "s3_bucket",
                name,
                pairs(
                    object_lock=_object_lock(resources, name),
                    transitions=",".join(
                        f"{int(t['days'])}:{t['storageClass']}" for t in transitions
                    )
                    or None,
                    expiration_days=int(expirations[0]) if expirations else None,
                ),
            )
        )
    return planned


def _object_lock(resources: Resources, bucket: str) -> str | None:
    locks = resources.for_bucket(tokens.OBJECT_LOCK, bucket)
    if not locks:
        return None
    retention: dict[str, Any] = locks[0].inputs["rule"]["defaultRetention"]
    return f"{retention['mode']}:{int(retention['days'])}"


def planned_notifications(resources: Resources) -> set[PlannedResource]:
    return {
        PlannedResource(
            "s3_notification",
            f"{notification.inputs['bucket']}/{queue['filterPrefix']}->"
            f"{name_in_arn(queue['queueArn'])}",
        )
        for notification in resources.of_type(tokens.NOTIFICATION)
        for queue in notification.inputs["queues"]
    }


def planned_tables(resources: Resources) -> set[PlannedResource]:
    planned = set()
    for table in resources.of_type(tokens.TABLE):
        ttl = table.inputs.get("ttl") or {}
        indexes = ",".join(
            _index(index) for index in table.inputs.get("globalSecondaryIndexes", [])
        )
        planned.add(
            PlannedResource(
                "dynamodb_table",
                table.inputs["name"],
                pairs(
                    partition_key=table.inputs["hashKey"],
                    sort_key=table.inputs.get("rangeKey"),
                    indexes=indexes or None,
                    ttl_attribute=ttl.get("attributeName") if ttl.get("enabled") else None,
                ),
            )
        )
    return planned


def _index(index: dict[str, Any]) -> str:
    keys = {key["keyType"]: key["attributeName"] for key in index["keySchemas"]}
    return f"{index['name']}:{keys['HASH']}:{keys.get('RANGE', '')}"


def planned(resources: Resources) -> frozenset[PlannedResource]:
    return frozenset(
        planned_topics(resources)
        | planned_queues(resources)
        | planned_subscriptions(resources)
        | planned_buckets(resources)
        | planned_notifications(resources)
        | planned_tables(resources)
    )
