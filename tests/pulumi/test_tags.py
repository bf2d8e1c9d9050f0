"""Every taggable resource carries project, environment, service and cost-centre."""

import inspect

import pulumi_aws
import pytest

from contracts.topology import PROJECT, TOPOLOGY
from tests.pulumi import tokens
from tests.pulumi.policies import function_of

TAG_KEYS = {"project", "environment", "service", "cost-centre"}


def accepts_tags(type_token: str) -> bool:
    """Whether the pulumi_aws resource class behind `type_token` has a `tags` argument."""
    module, _, class_name = type_token.split(":", 1)[1].partition("/")
    package = getattr(pulumi_aws, module, None) or getattr(pulumi_aws, f"{module}_")
    resource_class = getattr(package, class_name.split(":")[1])
    return "tags" in inspect.signature(resource_class._internal_init).parameters


def test_every_taggable_resource_has_the_four_tags(resources):
    untagged = [
        (r.type, r.name)
        for r in resources
        if accepts_tags(r.type) and set(r.inputs.get("tags", {})) != TAG_KEYS
    ]
    assert untagged == []


def test_tags_name_the_project_environment_and_cost_centre_from_config(resources, config):
    values = {
        (tags["project"], tags["environment"], tags["cost-centre"])
        for tags in (r.inputs["tags"] for r in resources if "tags" in r.inputs)
    }
    assert values == {(PROJECT, config.environment, config.cost_centre)}


@pytest.mark.parametrize("service", [service.name for service in TOPOLOGY.services])
def test_service_function_role_log_group_and_queues_are_tagged_with_the_service(resources, service):
    function = function_of(resources, service)
    role = resources.named(tokens.ROLE, function.inputs["role"].rsplit("/", 1)[-1])
    group = resources.named(tokens.LOG_GROUP, function.inputs["loggingConfig"]["logGroup"])
    queue = TOPOLOGY.queue(TOPOLOGY.service(service).queue)
    queues = [resources.named(tokens.QUEUE, name) for name in (queue.name, queue.dlq_name)]
    tagged = [function, role, group, *queues]
    assert {r.inputs["tags"]["service"] for r in tagged} == {service}
