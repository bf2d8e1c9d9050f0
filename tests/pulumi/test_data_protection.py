"""Encryption with the one stack key, point-in-time recovery, private buckets, Object Lock and the
lifecycle of the audit and events buckets."""

import json

from contracts.topology import (
    BUCKET_AUDIT,
    BUCKET_EVENTS,
    BUCKET_PROCESSED,
    BUCKET_RAW,
    NONCURRENT_VERSION_DAYS,
    TOPOLOGY,
)
from tests.pulumi import tokens
from tests.pulumi.mocks import REGION, arn
from tests.pulumi.policies import key_arn, statements

BUCKETS = sorted(bucket.name for bucket in TOPOLOGY.buckets)


def by_bucket(resources, type_token):
    return {r.inputs["bucket"]: r.inputs for r in resources.of_type(type_token)}


def test_there_is_exactly_one_kms_key_and_it_rotates(resources):
    (key,) = resources.of_type(tokens.KEY)
    assert key.inputs["enableKeyRotation"] is True


def test_the_key_has_an_alias(resources):
    (alias,) = resources.of_type(tokens.KEY_ALIAS)
    assert alias.inputs["name"].startswith("alias/")


def test_every_topic_is_encrypted_with_the_stack_key(resources):
    keys = {
        t.inputs["name"]: t.inputs.get("kmsMasterKeyId") for t in resources.of_type(tokens.TOPIC)
    }
    assert keys == dict.fromkeys((t.name for t in TOPOLOGY.topics), key_arn(resources))


def test_every_queue_and_dlq_is_encrypted_with_the_stack_key(resources):
    keys = {
        q.inputs["name"]: q.inputs.get("kmsMasterKeyId") for q in resources.of_type(tokens.QUEUE)
    }
    names = [name for q in TOPOLOGY.queues for name in (q.name, q.dlq_name)]
    assert keys == dict.fromkeys(names, key_arn(resources))


def test_every_bucket_defaults_to_sse_kms_with_the_stack_key(resources):
    defaults = {
        bucket: [rule["applyServerSideEncryptionByDefault"] for rule in inputs["rules"]]
        for bucket, inputs in by_bucket(resources, tokens.BUCKET_ENCRYPTION).items()
    }
    expected = [{"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn(resources)}]
    assert defaults == dict.fromkeys(BUCKETS, expected)


def test_every_bucket_blocks_all_public_access(resources):
    blocks = by_bucket(resources, tokens.PUBLIC_ACCESS_BLOCK)
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert sorted(blocks) == BUCKETS
    assert all(inputs.get(flag) is True for inputs in blocks.values() for flag in flags)


def test_every_bucket_is_versioned(resources):
    versioning = by_bucket(resources, tokens.VERSIONING)
    statuses = {b: v["versioningConfiguration"]["status"] for b, v in versioning.items()}
    assert statuses == dict.fromkeys(BUCKETS, "Enabled")


def test_every_table_is_encrypted_with_the_stack_key(resources):
    encryption = {
        t.inputs["name"]: t.inputs["serverSideEncryption"] for t in resources.of_type(tokens.TABLE)
    }
    expected = {"enabled": True, "kmsKeyArn": key_arn(resources)}
    assert encryption == dict.fromkeys((t.name for t in TOPOLOGY.tables), expected)


def test_every_table_has_point_in_time_recovery(resources):
    assert all(
        table.inputs["pointInTimeRecovery"]["enabled"] is True
        for table in resources.of_type(tokens.TABLE)
    )


def test_every_table_is_protected_from_deletion(resources):
    protected = {
        t.inputs["name"]: t.inputs.get("deletionProtectionEnabled")
        for t in resources.of_type(tokens.TABLE)
    }
    assert protected == dict.fromkeys((t.name for t in TOPOLOGY.tables), True)


def test_every_table_is_on_demand(resources):
    assert {t.inputs["billingMode"] for t in resources.of_type(tokens.TABLE)} == {"PAY_PER_REQUEST"}


def test_every_table_key_attribute_is_a_string(resources):
    types = {a["type"] for t in resources.of_type(tokens.TABLE) for a in t.inputs["attributes"]}
    assert types == {"S"}


def test_audit_bucket_locks_every_object_in_compliance_mode_for_2555_days(resources):
    (bucket,) = [b for b in resources.of_type(tokens.BUCKET) if b.inputs["bucket"] == BUCKET_AUDIT]
    (lock,) = resources.for_bucket(tokens.OBJECT_LOCK, BUCKET_AUDIT)
    assert bucket.inputs["objectLockEnabled"] is True
    assert lock.inputs["rule"]["defaultRetention"] == {"mode": "COMPLIANCE", "days": 2555}


def test_only_the_audit_bucket_has_object_lock(resources):
    locked = {
        b.inputs["bucket"]
        for b in resources.of_type(tokens.BUCKET)
        if b.inputs["objectLockEnabled"]
    }
    assert locked == {BUCKET_AUDIT}


def test_audit_bucket_moves_to_glacier_ir_then_glacier_then_deep_archive(resources):
    (lifecycle,) = resources.for_bucket(tokens.LIFECYCLE, BUCKET_AUDIT)
    (rule,) = lifecycle.inputs["rules"]
    transitions = [(t["days"], t["storageClass"]) for t in rule["transitions"]]
    assert rule["status"] == "Enabled"
    assert transitions == [(90, "GLACIER_IR"), (365, "GLACIER"), (3 * 365, "DEEP_ARCHIVE")]


def test_events_bucket_removes_claim_checks_after_14_days(resources):
    (lifecycle,) = resources.for_bucket(tokens.LIFECYCLE, BUCKET_EVENTS)
    (rule,) = lifecycle.inputs["rules"]
    assert rule["expiration"]["days"] == 14
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == 14


def test_raw_and_processed_remove_noncurrent_versions_and_keep_current_ones(resources):
    for bucket in (BUCKET_RAW, BUCKET_PROCESSED):
        (lifecycle,) = resources.for_bucket(tokens.LIFECYCLE, bucket)
        (rule,) = lifecycle.inputs["rules"]
        assert rule["status"] == "Enabled"
        assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == NONCURRENT_VERSION_DAYS
        assert "expiration" not in rule and "transitions" not in rule


def test_the_audit_bucket_keeps_every_version(resources):
    (lifecycle,) = resources.for_bucket(tokens.LIFECYCLE, BUCKET_AUDIT)
    (rule,) = lifecycle.inputs["rules"]
    assert "noncurrentVersionExpiration" not in rule and "expiration" not in rule


def test_every_log_group_is_encrypted_with_the_stack_key(resources):
    groups = resources.of_type(tokens.LOG_GROUP)
    assert len(groups) == len(TOPOLOGY.services) + len(TOPOLOGY.api_faces)
    assert {group.inputs["kmsKeyId"] for group in groups} == {key_arn(resources)}


def test_every_function_environment_is_encrypted_with_the_stack_key(resources):
    """The portal's environment holds the session secret (`IOR_SESSION_SECRET`)."""
    functions = resources.of_type(tokens.FUNCTION)
    assert len(functions) == len(TOPOLOGY.services) + len(TOPOLOGY.api_faces)
    assert {function.inputs["kmsKeyArn"] for function in functions} == {key_arn(resources)}


def test_key_admits_sns_only_for_the_topology_topics(resources):
    delivery = key_policy_statement(resources, "sns.amazonaws.com")
    topics = sorted(arn(tokens.TOPIC, topic.name) for topic in TOPOLOGY.topics)
    assert delivery["Condition"] == {"ArnEquals": {"aws:SourceArn": topics}}


def test_key_admits_s3_only_for_the_notifying_buckets(resources):
    delivery = key_policy_statement(resources, "s3.amazonaws.com")
    buckets = sorted({arn(tokens.BUCKET, note.bucket) for note in TOPOLOGY.notifications})
    assert delivery["Condition"] == {"ArnEquals": {"aws:SourceArn": buckets}}


def test_key_admits_cloudwatch_logs_only_for_the_service_log_groups(resources):
    logs = key_policy_statement(resources, f"logs.{REGION}.amazonaws.com")
    groups = sorted(
        arn(tokens.LOG_GROUP, group.inputs["name"]) for group in resources.of_type(tokens.LOG_GROUP)
    )
    assert logs["Condition"] == {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": groups}}


def key_policy_statement(resources, service_principal):
    (policy,) = resources.of_type(tokens.KEY_POLICY)
    (found,) = [
        s
        for s in statements(json.loads(policy.inputs["policy"]))
        if s["Principal"] == {"Service": service_principal}
    ]
    return found
