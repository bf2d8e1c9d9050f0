"""Pulumi creates exactly what the emulator provisioner plans from the same topology."""

from services.runtime.operations.provision import PlannedResource, plan
from tests.pulumi import planned as recorded

PLAN = plan()


def of_kind(kind: str) -> set[PlannedResource]:
    return {resource for resource in PLAN if resource.kind == kind}


def test_topics_match_the_provisioner_plan(resources):
    assert recorded.planned_topics(resources) == of_kind("sns_topic")


def test_queues_with_their_dlq_and_max_receive_count_match_the_provisioner_plan(resources):
    assert recorded.planned_queues(resources) == of_kind("sqs_queue")


def test_subscriptions_with_raw_delivery_and_filter_policy_match_the_provisioner_plan(
    resources,
):
    assert recorded.planned_subscriptions(resources) == of_kind("sns_subscription")


def test_buckets_with_object_lock_transitions_and_expiry_match_the_provisioner_plan(resources):
    assert recorded.planned_buckets(resources) == of_kind("s3_bucket")


def test_bucket_notifications_by_prefix_match_the_provisioner_plan(resources):
    assert recorded.planned_notifications(resources) == of_kind("s3_notification")


def test_tables_with_keys_indexes_and_ttl_match_the_provisioner_plan(resources):
    assert recorded.planned_tables(resources) == of_kind("dynamodb_table")


def test_pulumi_and_the_provisioner_build_the_same_topology(resources):
    assert recorded.planned(resources) == PLAN
