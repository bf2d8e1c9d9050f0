"""Queue policies admit only each queue's sources; DLQs keep messages as long as the topology says
they should."""

import json

import pytest

from contracts.topology import DLQ_RETENTION_SECONDS, TOPOLOGY
from tests.pulumi import tokens
from tests.pulumi.mocks import ACCOUNT_ID, arn
from tests.pulumi.planned import name_in_arn
from tests.pulumi.policies import statements

QUEUES = [queue.name for queue in TOPOLOGY.queues]


def senders(resources, queue):
    """(principal service, source ARN) pairs the queue's policy lets send to it."""
    url_suffix = f"/{queue}"
    (policy,) = [
        p
        for p in resources.of_type(tokens.QUEUE_POLICY)
        if p.inputs["queueUrl"].endswith(url_suffix)
    ]
    found = set()
    for statement in statements(json.loads(policy.inputs["policy"])):
        assert statement["Action"] == ["sqs:SendMessage"]
        assert statement["Resource"] == [arn(tokens.QUEUE, queue)]
        principal = statement["Principal"]["Service"]
        found |= {(principal, s) for s in statement["Condition"]["ArnEquals"]["aws:SourceArn"]}
    return found


@pytest.mark.parametrize("queue", QUEUES)
def test_queue_accepts_messages_only_from_its_subscribed_topics_and_notifying_buckets(
    resources, queue
):
    topics = {
        ("sns.amazonaws.com", arn(tokens.TOPIC, sub.topic))
        for sub in TOPOLOGY.subscriptions
        if sub.queue == queue
    }
    buckets = {
        ("s3.amazonaws.com", arn(tokens.BUCKET, note.bucket))
        for note in TOPOLOGY.notifications
        if note.queue == queue
    }
    assert senders(resources, queue) == topics | buckets


def test_bucket_notifications_are_accepted_only_from_this_account(resources):
    for policy in resources.of_type(tokens.QUEUE_POLICY):
        for statement in statements(json.loads(policy.inputs["policy"])):
            if statement["Principal"] == {"Service": "s3.amazonaws.com"}:
                assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT_ID}


def test_dead_letter_queues_keep_messages_for_the_topology_retention(resources):
    for queue in TOPOLOGY.queues:
        dlq = resources.named(tokens.QUEUE, queue.dlq_name)
        assert dlq.inputs["messageRetentionSeconds"] == DLQ_RETENTION_SECONDS


def test_subscriptions_deliver_raw_envelopes(resources):
    assert all(
        s.inputs["rawMessageDelivery"] is True for s in resources.of_type(tokens.SUBSCRIPTION)
    )


def test_every_subscription_sends_what_it_cannot_deliver_to_its_queues_dlq(resources):
    redrives = {
        name_in_arn(s.inputs["endpoint"]): json.loads(s.inputs["redrivePolicy"])
        for s in resources.of_type(tokens.SUBSCRIPTION)
    }
    for sub in TOPOLOGY.subscriptions:
        dlq = redrives[sub.queue]["deadLetterTargetArn"]
        assert dlq == arn(tokens.QUEUE, TOPOLOGY.subscription_dlq(sub))


@pytest.mark.parametrize("queue", sorted({sub.queue for sub in TOPOLOGY.subscriptions}))
def test_a_dlq_accepts_undeliverable_messages_only_from_the_topics_subscribed_to_its_queue(
    resources, queue
):
    dlq = TOPOLOGY.queue(queue).dlq_name
    topics = {
        ("sns.amazonaws.com", arn(tokens.TOPIC, sub.topic))
        for sub in TOPOLOGY.subscriptions
        if TOPOLOGY.subscription_dlq(sub) == dlq
    }
    assert senders(resources, dlq) == topics
