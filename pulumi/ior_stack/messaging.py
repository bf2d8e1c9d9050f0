"""SNS topics with their policies, SQS queues with their DLQs, the raw-delivery subscriptions and
the queue policies.

Every queue accepts `sqs:SendMessage` only from the topics subscribed to it and the buckets that
notify it; the services' own sends (dead-lettering) are granted by their roles instead. Every
topic refuses `sns:Publish` to all but the roles of the services that own it (and CloudWatch
alarms on the alerts topic): an event on a topic is what audit makes immutable, so nobody else in
the account, whatever IAM grants them, may forge one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from contracts.topology import DLQ_RETENTION_SECONDS, TOPIC_ALERTS, Queue, Topology
from ior_stack import names
from ior_stack.account import Account
from ior_stack.policy import deny, document, statement
from ior_stack.tags import Tagger

# AWS asks for a visibility timeout of at least six times the function timeout on a queue feeding
# Lambda, so a batch the poller retries after a throttle is not delivered a second time meanwhile.
VISIBILITY_PER_FUNCTION_TIMEOUT = 6
LONG_POLL_SECONDS = 20
PUBLISH = ("sns:Publish",)
ALARMS = "cloudwatch.amazonaws.com"


@dataclass(frozen=True)
class Messaging:
    topics: Mapping[str, aws.sns.Topic]
    queues: Mapping[str, aws.sqs.Queue]  # every service queue and DLQ, by name
    queue_policies: Mapping[str, aws.sqs.QueuePolicy]  # by queue name


def visibility_timeout(queue: Queue, function_timeout_seconds: int) -> int:
    return max(
        queue.visibility_timeout_seconds,
        VISIBILITY_PER_FUNCTION_TIMEOUT * function_timeout_seconds,
    )


def queue_policy(
    queue_arn: str, topic_arns: Sequence[str], bucket_arns: Sequence[str], account_id: str
) -> dict[str, Any]:
    statements = []
    if topic_arns:
        statements.append(
            statement(
                "FromSubscribedTopics",
                ["sqs:SendMessage"],
                [queue_arn],
                principal={"Service": "sns.amazonaws.com"},
                condition={"ArnEquals": {"aws:SourceArn": sorted(topic_arns)}},
            )
        )
    if bucket_arns:
        statements.append(
            statement(
                "FromNotifyingBuckets",
                ["sqs:SendMessage"],
                [queue_arn],
                principal={"Service": "s3.amazonaws.com"},
                # A bucket ARN names no account, so the account is checked as well.
                condition={
                    "ArnEquals": {"aws:SourceArn": sorted(bucket_arns)},
                    "StringEquals": {"aws:SourceAccount": account_id},
                },
            )
        )
    return document(*statements)


def topic_policy(
    *, topic_arn: str, publisher_role_arns: Sequence[str], account_id: str, alarms_publish: bool
) -> dict[str, Any]:
    """Only the owning services' roles publish (and CloudWatch alarms, where `alarms_publish`).

    The roles are named in a condition, not as principals: SNS refuses a policy that names a
    role before it exists, and the roles are created after the topics."""
    others: dict[str, Any] = {"ArnNotEquals": {"aws:PrincipalArn": sorted(publisher_role_arns)}}
    statements = []
    if alarms_publish:
        # A service principal has no principal ARN: it is told apart by its service name.
        others["StringNotEqualsIfExists"] = {"aws:PrincipalServiceName": ALARMS}
        statements.append(
            statement(
                "AlarmsPublish",
                PUBLISH,
                [topic_arn],
                principal={"Service": ALARMS},
                condition={"StringEquals": {"aws:SourceAccount": account_id}},
            )
        )
    return document(deny("OnlyOwnersPublish", PUBLISH, [topic_arn], others), *statements)


def create_messaging(
    topology: Topology,
    *,
    key_arn: pulumi.Output[str],
    bucket_arns: Mapping[str, pulumi.Output[str]],
    function_timeout_seconds: int,
    account: Account,
    tagger: Tagger,
) -> Messaging:
    topics = {
        topic.name: aws.sns.Topic(
            topic.name,
            name=topic.name,
            display_name=topic.description,
            kms_master_key_id=key_arn,
            tags=tagger.topic(topic.name),
        )
        for topic in topology.topics
    }
    _restrict_publishers(topology, topics, account)
    queues: dict[str, aws.sqs.Queue] = {}
    for queue in topology.queues:
        queues.update(_queue_with_dlq(queue, key_arn, function_timeout_seconds, tagger))
    for sub in topology.subscriptions:
        aws.sns.TopicSubscription(
            f"{sub.topic}-to-{sub.queue}",
            topic=topics[sub.topic].arn,
            protocol="sqs",
            endpoint=queues[sub.queue].arn,
            raw_message_delivery=True,
            filter_policy=None if sub.filter_policy is None else json.dumps(sub.filter_policy),
        )
    return Messaging(
        topics=topics,
        queues=queues,
        queue_policies=_allow_sources(topology, topics, queues, bucket_arns, account),
    )


def _restrict_publishers(
    topology: Topology, topics: Mapping[str, aws.sns.Topic], account: Account
) -> None:
    for name, topic in topics.items():
        roles = [
            account.role_arn(names.role_name(publisher.name))
            for publisher in (*topology.services, *topology.api_faces)
            if name in publisher.publishes
        ]
        inputs = pulumi.Output.all(
            topic_arn=topic.arn, publisher_role_arns=roles, account_id=account.account_id
        )
        aws.sns.TopicPolicy(
            name,
            arn=topic.arn,
            policy=inputs.apply(
                lambda values, alarms=name == TOPIC_ALERTS: json.dumps(
                    topic_policy(**values, alarms_publish=alarms)
                )
            ),
        )


def _queue_with_dlq(
    queue: Queue, key_arn: pulumi.Output[str], function_timeout_seconds: int, tagger: Tagger
) -> dict[str, aws.sqs.Queue]:
    dead_letters = aws.sqs.Queue(
        queue.dlq_name,
        name=queue.dlq_name,
        message_retention_seconds=DLQ_RETENTION_SECONDS,
        kms_master_key_id=key_arn,
        tags=tagger.queue(queue.dlq_name),
    )
    source = aws.sqs.Queue(
        queue.name,
        name=queue.name,
        visibility_timeout_seconds=visibility_timeout(queue, function_timeout_seconds),
        message_retention_seconds=queue.message_retention_seconds,
        receive_wait_time_seconds=LONG_POLL_SECONDS,
        kms_master_key_id=key_arn,
        redrive_policy=pulumi.Output.json_dumps(
            {"deadLetterTargetArn": dead_letters.arn, "maxReceiveCount": queue.max_receive_count}
        ),
        tags=tagger.queue(queue.name),
    )
    return {queue.dlq_name: dead_letters, queue.name: source}


def _allow_sources(
    topology: Topology,
    topics: Mapping[str, aws.sns.Topic],
    queues: Mapping[str, aws.sqs.Queue],
    bucket_arns: Mapping[str, pulumi.Output[str]],
    account: Account,
) -> dict[str, aws.sqs.QueuePolicy]:
    policies = {}
    for queue in topology.queues:
        topic_arns = [topics[s.topic].arn for s in topology.subscriptions if s.queue == queue.name]
        notifying = [bucket_arns[n.bucket] for n in topology.notifications if n.queue == queue.name]
        if not topic_arns and not notifying:
            continue
        sources = pulumi.Output.all(
            queue_arn=queues[queue.name].arn,
            topic_arns=topic_arns,
            bucket_arns=notifying,
            account_id=account.account_id,
        )
        policies[queue.name] = aws.sqs.QueuePolicy(
            queue.name,
            queue_url=queues[queue.name].url,
            policy=sources.apply(lambda values: json.dumps(queue_policy(**values))),
        )
    return policies
