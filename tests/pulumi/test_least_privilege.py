"""Every IAM permission follows from `TOPOLOGY.services`: nothing on `*`, nothing a service does not
use, and everything its runtime needs."""

import json

import pytest

from contracts.topology import TOPOLOGY, Access
from tests.pulumi import tokens
from tests.pulumi.mocks import arn
from tests.pulumi.policies import (
    TABLE_WRITE,
    allowed,
    as_list,
    every_policy_document,
    granted,
    is_wildcard_action,
    is_wildcard_resource,
    role_name_of,
    statements,
)

SERVICES = [service.name for service in TOPOLOGY.services]


def test_no_policy_statement_has_a_wildcard_action(resources):
    wildcards = [
        (where, action)
        for where, document in every_policy_document(resources)
        for statement in statements(document)
        for action in as_list(statement["Action"])
        if is_wildcard_action(action)
    ]
    assert wildcards == []


def test_no_policy_statement_has_a_wildcard_resource(resources):
    wildcards = [
        (where, resource)
        for where, document in every_policy_document(resources)
        for statement in statements(document)
        for resource in as_list(statement.get("Resource", []))
        if is_wildcard_resource(resource)
    ]
    assert wildcards == []


def test_no_policy_statement_denies_or_uses_not_action_or_not_resource(resources):
    """Inverted statements grant everything but a list, which no review of the list can bound."""
    inverted = [
        where
        for where, document in every_policy_document(resources)
        for statement in statements(document)
        if statement["Effect"] != "Allow" or {"NotAction", "NotResource"} & statement.keys()
    ]
    assert inverted == []


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
