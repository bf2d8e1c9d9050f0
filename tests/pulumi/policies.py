"""Reading the IAM documents the program produced: which service a role belongs to, what it grants,
and what the topology says it may have (derived here from `TOPOLOGY.services`, independently of
the program's own rules)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from contracts.topology import TABLE_IDEMPOTENCY, TOPOLOGY, Access, Service
from tests.pulumi import tokens
from tests.pulumi.mocks import Recorded, Resources, arn

Grant = tuple[str, str]  # (action, resource ARN)

CONSUME = {
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueUrl",
}
DEAD_LETTER = {"sqs:SendMessage", "sqs:GetQueueUrl"}
TABLE_READ = {
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:DescribeTable",
}
TABLE_WRITE = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
}
# One key at a time (the store's own calls): no Query, Scan or batch over other services' keys.
IDEMPOTENCY = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
# Adds items; the update is limited to the table's mutable attributes by a condition.
APPEND = {"dynamodb:PutItem", "dynamodb:UpdateItem"}
INDEX_READ = {"dynamodb:Query", "dynamodb:Scan"}
KEY_USE = {"kms:Decrypt", "kms:GenerateDataKey"}
LOG_WRITE = {"logs:CreateLogStream", "logs:PutLogEvents"}


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = document["Statement"]
    return found if isinstance(found, list) else [found]


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def every_policy_document(resources: Resources) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every policy the program attaches anywhere: role, trust, queue and key policies."""
    for resource in resources:
        for field in ("policy", "assumeRolePolicy"):
            if field in resource.inputs:
                yield f"{resource.type} {resource.name}", json.loads(resource.inputs[field])


def function_of(resources: Resources, service: str) -> Recorded:
    matches = [
        function
        for function in resources.of_type(tokens.FUNCTION)
        if function.inputs["environment"]["variables"]["IOR_SERVICE"] == service
    ]
    assert len(matches) == 1, f"expected one function for {service}"
    return matches[0]


def role_name_of(resources: Resources, service: str) -> str:
    return function_of(resources, service).inputs["role"].rsplit("/", 1)[-1]


def role_statements(resources: Resources, service: str) -> list[dict[str, Any]]:
    """The statements of the inline policy of `service`'s role."""
    role = role_name_of(resources, service)
    return [
        statement
        for policy in resources.of_type(tokens.ROLE_POLICY)
        if policy.inputs["role"] == role
        for statement in statements(json.loads(policy.inputs["policy"]))
    ]


def granted(resources: Resources, service: str) -> set[Grant]:
    """Every (action, resource) the role of `service`'s function is allowed (under conditions
    that the tests of each condition check)."""
    grants = set()
    for statement in role_statements(resources, service):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            grants |= {(action, resource) for resource in as_list(statement["Resource"])}
    return grants


def statements_on(resources: Resources, service: str, resource: str) -> list[dict[str, Any]]:
    return [s for s in role_statements(resources, service) if resource in as_list(s["Resource"])]


def key_arn(resources: Resources) -> str:
    (key,) = resources.of_type(tokens.KEY)
    return arn(tokens.KEY, key.name)


def log_group_arn(resources: Resources, service: str) -> str:
    group = function_of(resources, service).inputs["loggingConfig"]["logGroup"]
    return arn(tokens.LOG_GROUP, group)


def allowed(resources: Resources, service: Service) -> set[Grant]:
    """The least-privilege table: exactly what the topology entry of `service` uses."""
    queue = TOPOLOGY.queue(service.queue)
    grants = {(a, arn(tokens.QUEUE, queue.name)) for a in CONSUME}
    grants |= {(a, arn(tokens.QUEUE, queue.dlq_name)) for a in DEAD_LETTER}
    grants |= {("sns:Publish", arn(tokens.TOPIC, topic)) for topic in service.publishes}
    for name, access in service.tables.items():
        table = arn(tokens.TABLE, name)
        if name == TABLE_IDEMPOTENCY:
            actions = IDEMPOTENCY
        elif access is Access.APPEND:
            actions = TABLE_READ | APPEND
        else:
            actions = TABLE_READ if access is Access.READ else TABLE_READ | TABLE_WRITE
        grants |= {(a, table) for a in actions}
        for index in TOPOLOGY.table(name).indexes:
            grants |= {(a, f"{table}/index/{index.name}") for a in INDEX_READ}
    for grant in service.buckets:
        objects = f"{arn(tokens.BUCKET, grant.bucket)}/{grant.prefix}*"
        if grant.access in (Access.READ, Access.READ_WRITE, Access.READ_DELETE):
            grants.add(("s3:GetObject", objects))
            grants.add(("s3:ListBucket", arn(tokens.BUCKET, grant.bucket)))
        if grant.access in (Access.WRITE, Access.READ_WRITE):
            grants.add(("s3:PutObject", objects))
            if TOPOLOGY.bucket(grant.bucket).object_lock:
                grants.add(("s3:PutObjectRetention", objects))
        if grant.access in (Access.READ_WRITE, Access.READ_DELETE):
            grants.add(("s3:DeleteObject", objects))
    grants |= {(a, key_arn(resources)) for a in KEY_USE}
    logs = log_group_arn(resources, service.name)
    grants |= {(a, r) for a in LOG_WRITE for r in (logs, f"{logs}:log-stream:*")}
    return grants


def is_wildcard_action(action: str) -> bool:
    return action == "*" or action.endswith(":*")


def is_wildcard_resource(resource: str) -> bool:
    """`*`, or an ARN whose service, region, account or resource part is a bare wildcard.

    A wildcard inside a named resource (`…:log-group:/aws/lambda/x:log-stream:*`, the objects
    under one prefix `arn:aws:s3:::bucket/prefix/*`) is scoped, not `*`.
    """
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    return "*" in parts[2:5] or parts[5].startswith("*")
