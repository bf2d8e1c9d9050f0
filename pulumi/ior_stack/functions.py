"""One Lambda function per service: its role, log group and SQS event source mapping.

Every function runs the same adapter (`services.runtime.messaging.lambda_adapter.handler`) and
learns which service it is from `IOR_SERVICE`. The code is the repository's `contracts/` and
`services/`; the third-party packages they import come from a layer built beforehand (see
pulumi/README.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from contracts.topology import PROJECT, Service, Topology
from ior_stack import names
from ior_stack.account import Account
from ior_stack.config import StackConfig
from ior_stack.iam import ResourceArns, lambda_trust_policy, service_policy
from ior_stack.portal_api import PortalFront, create_portal_api
from ior_stack.tags import Tagger

RUNTIME = "python3.12"
HANDLER = "services.runtime.messaging.lambda_adapter.handler"
SOURCE_PACKAGES = ("contracts", "services")
# Settled messages are deleted and only the failed ones return to the queue (see lambda_adapter).
REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"


def source_archive(root: Path) -> pulumi.AssetArchive:
    """The packages as imported; bytecode caches stay out, so the code changes only with source."""
    return pulumi.AssetArchive(
        {
            path.relative_to(root).as_posix(): pulumi.FileAsset(path)
            for package in SOURCE_PACKAGES
            for path in sorted((root / package).rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts
        }
    )


def function_environment(service: Service, config: StackConfig) -> dict[str, str]:
    endpoints = {
        f"AWS_ENDPOINT_URL_{aws_service.upper()}": url
        for aws_service, url in config.lambda_endpoints.items()
    }
    return {"IOR_SERVICE": service.name, **endpoints}


@dataclass(frozen=True)
class _Shared:
    """What every service's function is built from."""

    topology: Topology
    config: StackConfig
    arns: pulumi.Output[ResourceArns]
    queues: Mapping[str, aws.sqs.Queue]
    key_arn: pulumi.Output[str]
    code: pulumi.AssetArchive
    layer: aws.lambda_.LayerVersion
    trust_policy: pulumi.Output[str]
    tagger: Tagger


def create_functions(
    topology: Topology,
    config: StackConfig,
    *,
    arns: pulumi.Output[ResourceArns],
    queues: Mapping[str, aws.sqs.Queue],
    key_arn: pulumi.Output[str],
    account: Account,
    tagger: Tagger,
) -> Compute:
    shared = _Shared(
        topology=topology,
        config=config,
        arns=arns,
        queues=queues,
        key_arn=key_arn,
        code=source_archive(config.source_root),
        layer=aws.lambda_.LayerVersion(
            names.DEPENDENCIES_LAYER,
            layer_name=names.DEPENDENCIES_LAYER,
            description=f"third-party packages {PROJECT}'s contracts and services import",
            code=pulumi.FileArchive(str(config.dependencies_dir)),
            compatible_runtimes=[RUNTIME],
        ),
        trust_policy=account.account_id.apply(
            lambda account_id: json.dumps(lambda_trust_policy(account_id))
        ),
        tagger=tagger,
    )
    functions = {service.name: _service_function(service, shared) for service in topology.services}
    portals = {}
    if config.portal is not None:
        for face in topology.api_faces:
            portals[face.name] = create_portal_api(
                face,
                topology,
                config,
                config.portal,
                arns=arns,
                function_args=_code_args(shared),
                trust_policy=shared.trust_policy,
                key_arn=key_arn,
                tagger=tagger,
            )
    return Compute(functions, portals)


@dataclass(frozen=True)
class Compute:
    functions: Mapping[str, aws.lambda_.Function]  # by service name
    portals: Mapping[str, PortalFront]  # by API face name


def _code_args(shared: _Shared) -> dict[str, object]:
    """What every function of the stack runs on: the same code, layer, key and limits."""
    return {
        "runtime": RUNTIME,
        "code": shared.code,
        "layers": [shared.layer.arn],
        "timeout": shared.config.lambda_timeout_seconds,
        "memory_size": shared.config.lambda_memory_mb,
        "kms_key_arn": shared.key_arn,
    }


def _service_function(service: Service, shared: _Shared) -> aws.lambda_.Function:
    name = names.function_name(service.name)
    tags = shared.tagger.service(service.name)
    log_group = aws.cloudwatch.LogGroup(
        names.log_group_name(service.name),
        name=names.log_group_name(service.name),
        retention_in_days=shared.config.log_retention_days,
        kms_key_id=shared.key_arn,
        tags=tags,
    )
    role = aws.iam.Role(
        names.role_name(service.name),
        name=names.role_name(service.name),
        assume_role_policy=shared.trust_policy,
        tags=tags,
    )
    permissions = aws.iam.RolePolicy(
        names.role_name(service.name),
        name="least-privilege",
        role=role.id,
        policy=pulumi.Output.all(shared.arns, log_group.arn).apply(
            lambda values: json.dumps(
                service_policy(service, shared.topology, values[0], values[1])
            )
        ),
    )
    function = aws.lambda_.Function(
        name,
        name=name,
        role=role.arn,
        handler=HANDLER,
        environment=aws.lambda_.FunctionEnvironmentArgs(
            variables=function_environment(service, shared.config)
        ),
        logging_config=aws.lambda_.FunctionLoggingConfigArgs(
            log_format="Text", log_group=log_group.name
        ),
        tags=tags,
        **_code_args(shared),  # type: ignore[arg-type]
    )
    aws.lambda_.EventSourceMapping(
        name,
        event_source_arn=shared.queues[service.queue].arn,
        function_name=function.arn,
        batch_size=shared.config.batch_size,
        function_response_types=[REPORT_BATCH_ITEM_FAILURES],
        scaling_config=aws.lambda_.EventSourceMappingScalingConfigArgs(
            maximum_concurrency=shared.config.maximum_concurrency
        ),
        tags=tags,
        # Lambda checks that the role may read the queue when the mapping is created.
        opts=pulumi.ResourceOptions(depends_on=[permissions]),
    )
    return function
