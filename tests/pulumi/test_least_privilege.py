"""Every IAM permission follows from `TOPOLOGY.services`: nothing on `*`, nothing a service does not
use, and everything its runtime needs."""

import json

import pytest

from contracts.topology import (
    BUCKET_AUDIT,
    BUCKET_RAW,
    RAW_SAP_PREFIX,
    RAW_UPLOAD_PREFIX,
    TABLE_AUDIT_INDEX,
    TABLE_IDEMPOTENCY,
    TOPOLOGY,
    Access,
)
from tests.pulumi import tokens
from tests.pulumi.mocks import REGION, arn
from tests.pulumi.policies import (
    TABLE_WRITE,
    allowed,
    as_list,
    every_policy_document,
    granted,
    is_wildcard_action,
    is_wildcard_resource,
    key_arn,
    role_name_of,
    statements,
    statements_on,
)

SERVICES = [service.name for service in TOPOLOGY.services]


def allows(resources):
    """(where, statement) for every Allow statement of every policy: what grants access."""
    return [
        (where, statement)
        for where, document in every_policy_document(resources)
        for statement in statements(document)
        if statement["Effect"] == "Allow"
    ]


def test_no_allow_statement_has_a_wildcard_action(resources):
    """Deny statements may (`s3:*` over plain HTTP): denying more can never grant anything."""
    wildcards = [
        (where, action)
        for where, statement in allows(resources)
        for action in as_list(statement["Action"])
        if is_wildcard_action(action)
    ]
    assert wildcards == []


def test_no_allow_statement_has_a_wildcard_resource(resources):
    wildcards = [
        (where, resource)
        for where, statement in allows(resources)
        for resource in as_list(statement.get("Resource", []))
        if is_wildcard_resource(resource)
    ]
    assert wildcards == []


def test_no_policy_statement_uses_not_action_or_not_resource(resources):
    """Inverted statements cover everything but a list, which no review of the list can bound."""
    inverted = [
        where
        for where, document in every_policy_document(resources)
        for statement in statements(document)
        if {"NotAction", "NotResource", "NotPrincipal"} & statement.keys()
    ]
    assert inverted == []


def test_deny_statements_are_guards_in_bucket_and_topic_policies_only(resources):
    """A role's permissions are the sum of what it is allowed; denies belong to the resource."""
    denying = {
        where.split(" ", 1)[0]
        for where, document in every_policy_document(resources)
        for statement in statements(document)
        if statement["Effect"] == "Deny"
    }
    assert denying == {tokens.BUCKET_POLICY, tokens.TOPIC_POLICY}


@pytest.mark.parametrize("service", SERVICES)
def test_service_is_granted_nothing_its_topology_entry_does_not_use(resources, service):
    extra = granted(resources, service) - allowed(resources, TOPOLOGY.service(service))
    assert sorted(extra) == []


@pytest.mark.parametrize("service", SERVICES)
def test_service_is_granted_everything_its_topology_entry_uses(resources, service):
    missing = allowed(resources, TOPOLOGY.service(service)) - granted(resources, service)
    assert sorted(missing) == []


@pytest.mark.parametrize("service", SERVICES)
def test_service_cannot_write_a_table_it_only_reads(resources, service):
    read_only = {
        arn(tokens.TABLE, name)
        for name, access in TOPOLOGY.service(service).tables.items()
        if access is Access.READ
    }
    writes = {
        (action, table)
        for action, table in granted(resources, service)
        if table in read_only and action in TABLE_WRITE
    }
    assert writes == set()


@pytest.mark.parametrize("service", SERVICES)
def test_service_touches_no_queue_but_its_own_and_its_dlq(resources, service):
    queue = TOPOLOGY.queue(TOPOLOGY.service(service).queue)
    own = {arn(tokens.QUEUE, queue.name), arn(tokens.QUEUE, queue.dlq_name)}
    queues = {resource for _, resource in granted(resources, service) if ":sqs:" in resource}
    assert queues == own


@pytest.mark.parametrize("service", SERVICES)
def test_service_publishes_only_to_its_own_topics(resources, service):
    topics = {
        resource for action, resource in granted(resources, service) if action == "sns:Publish"
    }
    assert topics == {arn(tokens.TOPIC, topic) for topic in TOPOLOGY.service(service).publishes}


def test_every_service_role_is_assumable_by_lambda_only(resources):
    for role in resources.of_type(tokens.ROLE):
        (trust,) = statements(json.loads(role.inputs["assumeRolePolicy"]))
        assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}
        assert as_list(trust["Action"]) == ["sts:AssumeRole"]


def test_every_service_role_has_exactly_one_inline_policy(resources):
    faces = [face.name for face in TOPOLOGY.api_faces]
    roles = [role_name_of(resources, name) for name in SERVICES + faces]
    attached = [policy.inputs["role"] for policy in resources.of_type(tokens.ROLE_POLICY)]
    assert sorted(attached) == sorted(roles)


def test_no_role_has_managed_or_separately_attached_policies(resources):
    managed = [r.name for r in resources.of_type(tokens.ROLE) if r.inputs.get("managedPolicyArns")]
    other_iam = [
        r.type
        for r in resources
        if r.type.startswith("aws:iam/") and r.type not in (tokens.ROLE, tokens.ROLE_POLICY)
    ]
    assert managed == []
    assert other_iam == []


@pytest.mark.parametrize("service", SERVICES)
def test_service_reads_and_writes_only_its_own_keys_in_the_idempotency_table(resources, service):
    (own,) = statements_on(resources, service, arn(tokens.TABLE, TABLE_IDEMPOTENCY))
    assert own["Condition"] == {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"{service}:*"]}
    }
    # A Scan or Query has no leading key to check, and a batch could carry any.
    assert set(own["Action"]).isdisjoint(
        {"dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"}
    )


def test_audit_adds_to_its_index_but_never_deletes_or_replaces_items_in_bulk(resources):
    index = arn(tokens.TABLE, TABLE_AUDIT_INDEX)
    actions = {action for action, table in granted(resources, "audit") if table == index}
    assert {"dynamodb:PutItem", "dynamodb:UpdateItem"} <= actions
    assert actions.isdisjoint({"dynamodb:DeleteItem", "dynamodb:BatchWriteItem"})


def test_audit_updates_only_the_supersession_marks_of_its_index(resources):
    index = arn(tokens.TABLE, TABLE_AUDIT_INDEX)
    (update,) = [
        s for s in statements_on(resources, "audit", index) if "dynamodb:UpdateItem" in s["Action"]
    ]
    assert update["Action"] == ["dynamodb:UpdateItem"]
    assert update["Condition"]["ForAllValues:StringEquals"] == {
        "dynamodb:Attributes": ["pk", "sk", "superseded_by", "superseded_invoices"]
    }


@pytest.mark.parametrize("prefix", [RAW_SAP_PREFIX, RAW_UPLOAD_PREFIX])
def test_ingestion_reads_and_deletes_landed_files_but_never_writes_there(resources, prefix):
    objects = f"{arn(tokens.BUCKET, BUCKET_RAW)}/{prefix}*"
    actions = {
        action for action, resource in granted(resources, "ingestion") if resource == objects
    }
    assert actions == {"s3:GetObject", "s3:DeleteObject"}


def test_audit_may_read_its_bucket_to_find_a_version_it_wrote_but_never_delete(resources):
    objects = f"{arn(tokens.BUCKET, BUCKET_AUDIT)}/*"
    actions = {action for action, resource in granted(resources, "audit") if resource == objects}
    assert actions == {"s3:GetObject", "s3:PutObject", "s3:PutObjectRetention"}


@pytest.mark.parametrize("service", SERVICES)
def test_the_stack_key_serves_a_role_only_through_the_aws_services_it_uses(resources, service):
    spec = TOPOLOGY.service(service)
    on_key = statements_on(resources, service, key_arn(resources))
    via = {s["Condition"]["StringEquals"]["kms:ViaService"]: s for s in on_key}
    expected = {"sqs", "dynamodb"} | ({"sns"} if spec.publishes else set()) | {"s3"}
    assert set(via) == {f"{name}.{REGION}.amazonaws.com" for name in expected}
    s3 = via[f"s3.{REGION}.amazonaws.com"]["Condition"]["StringEquals"]
    assert s3["kms:EncryptionContext:aws:s3:arn"] == sorted(
        {arn(tokens.BUCKET, grant.bucket) for grant in spec.buckets}
    )
    dynamodb = via[f"dynamodb.{REGION}.amazonaws.com"]["Condition"]["StringEquals"]
    assert dynamodb["kms:EncryptionContext:aws:dynamodb:tableName"] == sorted(spec.tables)
