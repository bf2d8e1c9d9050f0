"""One Lambda per service behind its queue, with the settings the runtime relies on."""

from dataclasses import replace

import pytest

from contracts.topology import TOPOLOGY
from ior_stack.functions import function_environment
from tests.pulumi import tokens
from tests.pulumi.mocks import arn
from tests.pulumi.policies import function_of

SERVICES = [service.name for service in TOPOLOGY.services]


def event_source_of(resources, service):
    function = arn(tokens.FUNCTION, function_of(resources, service).inputs["name"])
    (mapping,) = [
        m for m in resources.of_type(tokens.EVENT_SOURCE) if m.inputs["functionName"] == function
    ]
    return mapping.inputs


@pytest.mark.parametrize("service", SERVICES)
def test_service_function_runs_the_lambda_adapter_on_python_3_12(resources, service):
    function = function_of(resources, service).inputs
    assert function["handler"] == "services.runtime.messaging.lambda_adapter.handler"
    assert function["runtime"] == "python3.12"


def test_there_is_one_function_per_service_and_per_api_face(resources):
    count = len(TOPOLOGY.services) + len(TOPOLOGY.api_faces)
    assert len(resources.of_type(tokens.FUNCTION)) == count


@pytest.mark.parametrize("service", SERVICES)
def test_service_function_consumes_its_own_queue(resources, service):
    queue = TOPOLOGY.service(service).queue
    assert event_source_of(resources, service)["eventSourceArn"] == arn(tokens.QUEUE, queue)


@pytest.mark.parametrize("service", SERVICES)
def test_service_event_source_reports_batch_item_failures(resources, service):
    assert event_source_of(resources, service)["functionResponseTypes"] == [
        "ReportBatchItemFailures"
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_service_queue_visibility_is_at_least_six_function_timeouts(resources, service):
    queue = resources.named(tokens.QUEUE, TOPOLOGY.service(service).queue)
    timeout = function_of(resources, service).inputs["timeout"]
    assert queue.inputs["visibilityTimeoutSeconds"] >= 6 * timeout


def test_queue_visibility_never_drops_below_the_topology_value(resources):
    for queue in TOPOLOGY.queues:
        recorded = resources.named(tokens.QUEUE, queue.name)
        assert recorded.inputs["visibilityTimeoutSeconds"] >= queue.visibility_timeout_seconds


def test_batch_size_and_maximum_concurrency_come_from_config(resources, config):
    for mapping in resources.of_type(tokens.EVENT_SOURCE):
        assert mapping.inputs["batchSize"] == config.batch_size
        assert mapping.inputs["scalingConfig"] == {"maximumConcurrency": config.maximum_concurrency}


def test_timeout_and_memory_come_from_config(resources, config):
    for function in resources.of_type(tokens.FUNCTION):
        assert function.inputs["timeout"] == config.lambda_timeout_seconds
        assert function.inputs["memorySize"] == config.lambda_memory_mb


@pytest.mark.parametrize("service", SERVICES)
def test_service_function_logs_to_its_own_group_with_the_configured_retention(
    resources, config, service
):
    group = function_of(resources, service).inputs["loggingConfig"]["logGroup"]
    assert resources.named(tokens.LOG_GROUP, group).inputs["retentionInDays"] == (
        config.log_retention_days
    )


def test_function_code_is_contracts_and_services_without_bytecode(resources):
    code = function_of(resources, SERVICES[0]).inputs["code"]
    paths = set(code.assets)
    assert {"contracts/topology.py", "services/runtime/messaging/lambda_adapter.py"} <= paths
    assert {path.split("/")[0] for path in paths} == {"contracts", "services"}
    assert not [path for path in paths if "__pycache__" in path or path.endswith(".pyc")]


def test_functions_use_the_dependencies_layer(resources):
    (layer,) = resources.of_type(tokens.LAYER)
    layer_arn = arn(tokens.LAYER, layer.name)
    assert all(f.inputs["layers"] == [layer_arn] for f in resources.of_type(tokens.FUNCTION))


def test_function_environment_names_only_the_service_by_default(config):
    service = TOPOLOGY.services[0]
    assert function_environment(service, config) == {"IOR_SERVICE": service.name}


def test_function_environment_adds_the_configured_endpoints_as_aws_variables(config):
    local = replace(config, lambda_endpoints={"dynamodb": "http://dynamodb-local:8000"})
    environment = function_environment(TOPOLOGY.services[0], local)
    assert environment["AWS_ENDPOINT_URL_DYNAMODB"] == "http://dynamodb-local:8000"
