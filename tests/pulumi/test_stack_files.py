"""The project and stack files: what `pulumi up` reads besides the program."""

import re

import pytest
import yaml

from contracts.topology import TOPOLOGY
from ior_stack.config import StackConfig, StackConfigError
from tests.pulumi.program import PROGRAM, stack_config

LOCALSTACK_ENDPOINT = "http://localhost:4566"
DYNAMODB_LOCAL_ENDPOINT = "http://localhost:8000"
# The AWS APIs the program calls (the provider's endpoint keys).
USED_APIS = {"sns", "sqs", "s3", "lambda", "iam", "kms", "logs", "cloudwatch", "sts"}


def test_project_is_ior_on_the_python_runtime():
    project = yaml.safe_load((PROGRAM / "Pulumi.yaml").read_text())
    assert project["name"] == "ior"
    assert project["runtime"]["name"] == "python"


def test_localstack_stack_sends_every_api_but_dynamodb_to_localstack():
    (endpoints,) = stack_config("localstack")["aws:endpoints"]
    assert {api for api, url in endpoints.items() if url == LOCALSTACK_ENDPOINT} == USED_APIS


def test_localstack_stack_sends_dynamodb_to_dynamodb_local():
    (endpoints,) = stack_config("localstack")["aws:endpoints"]
    assert endpoints["dynamodb"] == DYNAMODB_LOCAL_ENDPOINT


def test_localstack_stack_skips_credential_and_account_checks_and_uses_path_style_s3():
    config = stack_config("localstack")
    flags = ("skipCredentialsValidation", "skipRequestingAccountId", "s3UsePathStyle")
    assert all(config[f"aws:{flag}"] is True for flag in flags)


def test_prod_stack_talks_to_aws_itself():
    config = stack_config("prod")
    assert not [key for key in config if key in ("aws:endpoints", "aws:accessKey", "aws:secretKey")]


@pytest.mark.parametrize("stack", ["localstack", "prod"])
def test_stack_file_reads_into_a_stack_config(pulumi_config, stack):
    pulumi_config(stack)
    config = StackConfig.from_pulumi()
    assert config.environment == stack
    assert config.cost_centre == stack_config(stack)["ior:costCentre"]


def test_stack_file_numbers_override_the_defaults(pulumi_config):
    pulumi_config("prod")
    config = StackConfig.from_pulumi()
    assert (config.maximum_concurrency, config.log_retention_days) == (10, 90)


def test_numbers_a_stack_file_leaves_out_keep_their_defaults(pulumi_config):
    pulumi_config("localstack")
    defaults = StackConfig(environment="localstack", cost_centre="local-development")
    config = StackConfig.from_pulumi()
    assert config.lambda_timeout_seconds == defaults.lambda_timeout_seconds
    assert config.batch_size == defaults.batch_size


def test_localstack_functions_reach_dynamodb_local(pulumi_config):
    pulumi_config("localstack")
    assert set(StackConfig.from_pulumi().lambda_endpoints) == {"dynamodb"}


def test_config_refuses_a_maximum_concurrency_aws_does_not_accept():
    with pytest.raises(StackConfigError, match="maximumConcurrency"):
        StackConfig(environment="test", cost_centre="cc", maximum_concurrency=1)


def test_config_refuses_a_batch_size_that_needs_a_batching_window():
    with pytest.raises(StackConfigError, match="batchSize"):
        StackConfig(environment="test", cost_centre="cc", batch_size=11)


def test_no_topology_name_is_typed_in_the_program():
    topology_names = {
        *(t.name for t in TOPOLOGY.topics),
        *(q.name for q in TOPOLOGY.queues),
        *(t.name for t in TOPOLOGY.tables),
        *(b.name for b in TOPOLOGY.buckets),
    }
    sources = [*PROGRAM.rglob("*.py"), *PROGRAM.glob("Pulumi*.yaml")]
    typed = [
        (path.name, name)
        for path in sources
        for name in topology_names
        if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", path.read_text())
    ]
    assert typed == []
