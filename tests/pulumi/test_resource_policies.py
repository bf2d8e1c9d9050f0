"""What buckets and topics refuse whoever asks: plain HTTP, objects under another key, writes that
could add a version to an audit key, and events published by anyone but the owning service."""

import json

import pytest

from contracts.topology import BUCKET_AUDIT, TOPIC_ALERTS, TOPIC_CUSTOMS, TOPOLOGY
from ior_stack import names
from tests.pulumi import tokens
from tests.pulumi.mocks import ACCOUNT_ID, arn
from tests.pulumi.policies import key_arn, statements

BUCKETS = sorted(bucket.name for bucket in TOPOLOGY.buckets)
TOPICS = sorted(topic.name for topic in TOPOLOGY.topics)
PUBLISH = ["sns:Publish"]


def bucket_policy(resources, bucket):
    (policy,) = resources.for_bucket(tokens.BUCKET_POLICY, bucket)
    return {s["Sid"]: s for s in statements(json.loads(policy.inputs["policy"]))}


def topic_policy(resources, topic):
    (policy,) = [p for p in resources.of_type(tokens.TOPIC_POLICY) if p.name == topic]
    assert policy.inputs["arn"] == arn(tokens.TOPIC, topic)
    return {s["Sid"]: s for s in statements(json.loads(policy.inputs["policy"]))}


def role_arn(service: str) -> str:
    return f"arn:aws:iam::{ACCOUNT_ID}:role/{names.role_name(service)}"


@pytest.mark.parametrize("bucket", BUCKETS)
def test_bucket_refuses_every_request_over_plain_http(resources, bucket):
    guard = bucket_policy(resources, bucket)["DenyPlainHttp"]
    bucket_arn = arn(tokens.BUCKET, bucket)
    assert (guard["Effect"], guard["Principal"], guard["Action"]) == ("Deny", "*", ["s3:*"])
    assert guard["Resource"] == [bucket_arn, f"{bucket_arn}/*"]
    assert guard["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize("bucket", BUCKETS)
def test_bucket_refuses_puts_encrypted_other_than_with_the_stack_key(resources, bucket):
    """A put without encryption headers (all of ours) gets the bucket default: the stack key."""
    policy = bucket_policy(resources, bucket)
    other_encryption = policy["DenyPutsEncryptedOtherwise"]
    other_key = policy["DenyPutsUnderAnotherKey"]
    for guard in (other_encryption, other_key):
        assert (guard["Effect"], guard["Principal"], guard["Action"]) == (
            "Deny",
            "*",
            ["s3:PutObject"],
        )
        assert guard["Resource"] == [f"{arn(tokens.BUCKET, bucket)}/*"]
    assert other_encryption["Condition"] == {
        "StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}
    }
    assert other_key["Condition"] == {
        "StringNotEqualsIfExists": {
            "s3:x-amz-server-side-encryption-aws-kms-key-id": key_arn(resources)
        }
    }


def test_audit_bucket_refuses_puts_without_if_none_match_and_every_delete(resources):
    policy = bucket_policy(resources, BUCKET_AUDIT)
    objects = [f"{arn(tokens.BUCKET, BUCKET_AUDIT)}/*"]
    overwrite, delete = policy["DenyPutsThatMayOverwrite"], policy["DenyDeletes"]
    assert (overwrite["Effect"], overwrite["Principal"], overwrite["Resource"]) == (
        "Deny",
        "*",
        objects,
    )
    assert overwrite["Action"] == ["s3:PutObject"]
    assert overwrite["Condition"] == {"Null": {"s3:if-none-match": "true"}}
    # A delete marker would make the key absent, and a conditional put would then succeed.
    assert (delete["Effect"], delete["Principal"], delete["Resource"]) == ("Deny", "*", objects)
    assert delete["Action"] == ["s3:DeleteObject", "s3:DeleteObjectVersion"]
    assert "Condition" not in delete


@pytest.mark.parametrize("bucket", sorted(set(BUCKETS) - {BUCKET_AUDIT}))
def test_other_buckets_keep_overwrites_and_deletes(resources, bucket):
    assert set(bucket_policy(resources, bucket)) == {
        "DenyPlainHttp",
        "DenyPutsEncryptedOtherwise",
        "DenyPutsUnderAnotherKey",
    }


@pytest.mark.parametrize("topic", TOPICS)
def test_only_the_roles_of_the_owning_services_may_publish_to_a_topic(resources, topic):
    publishers = (*TOPOLOGY.services, *TOPOLOGY.api_faces)
    owners = sorted(role_arn(p.name) for p in publishers if topic in p.publishes)
    guard = topic_policy(resources, topic)["OnlyOwnersPublish"]
    assert owners
    assert (guard["Effect"], guard["Principal"], guard["Action"]) == ("Deny", "*", PUBLISH)
    assert guard["Resource"] == [arn(tokens.TOPIC, topic)]
    assert guard["Condition"]["ArnNotEquals"] == {"aws:PrincipalArn": owners}


def test_a_service_cannot_publish_to_another_services_topic(resources):
    customs = topic_policy(resources, TOPIC_CUSTOMS)["OnlyOwnersPublish"]
    allowed = customs["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    assert allowed == [role_arn("customs_generation")]


def test_alarms_of_this_account_may_publish_to_the_alerts_topic_and_no_other(resources):
    alerts = topic_policy(resources, TOPIC_ALERTS)
    allow = alerts["AlarmsPublish"]
    assert (allow["Effect"], allow["Principal"]) == (
        "Allow",
        {"Service": "cloudwatch.amazonaws.com"},
    )
    assert allow["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}
    exempt = alerts["OnlyOwnersPublish"]["Condition"]["StringNotEqualsIfExists"]
    assert exempt == {"aws:PrincipalServiceName": "cloudwatch.amazonaws.com"}
    for topic in set(TOPICS) - {TOPIC_ALERTS}:
        policy = topic_policy(resources, topic)
        assert set(policy) == {"OnlyOwnersPublish"}
        assert set(policy["OnlyOwnersPublish"]["Condition"]) == {"ArnNotEquals"}
