"""`build(config)`: the whole stack from `contracts/topology.py`, in dependency order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from contracts.topology import TOPIC_ALERTS, TOPOLOGY, Topology
from ior_stack.account import Account
from ior_stack.alarms import create_alarms
from ior_stack.config import StackConfig
from ior_stack.dashboard import create_dashboard
from ior_stack.functions import create_functions
from ior_stack.iam import ResourceArns
from ior_stack.kms import create_key
from ior_stack.messaging import Messaging, create_messaging
from ior_stack.portal_api import PortalFront
from ior_stack.storage import Storage, create_buckets, create_notifications
from ior_stack.tables import create_tables
from ior_stack.tags import Tagger


@dataclass(frozen=True)
class Stack:
    key_arn: pulumi.Output[str]
    messaging: Messaging
    storage: Storage
    tables: Mapping[str, aws.dynamodb.Table]
    functions: Mapping[str, aws.lambda_.Function]  # by service name
    portals: Mapping[str, PortalFront]  # by API face name
    dashboard: aws.cloudwatch.Dashboard


def build(config: StackConfig, topology: Topology = TOPOLOGY) -> Stack:
    account = Account.current()
    tagger = Tagger(config, topology)
    key_arn = create_key(topology, account, tagger)
    storage = create_buckets(topology, key_arn=key_arn, tagger=tagger)
    tables = create_tables(topology, key_arn=key_arn, tagger=tagger)
    messaging = create_messaging(
        topology,
        key_arn=key_arn,
        bucket_arns=storage.arns,
        function_timeout_seconds=config.lambda_timeout_seconds,
        account=account,
        tagger=tagger,
    )
    create_notifications(topology, storage, messaging)
    arns = pulumi.Output.all(
        queues={name: queue.arn for name, queue in messaging.queues.items()},
        topics={name: topic.arn for name, topic in messaging.topics.items()},
        tables={name: table.arn for name, table in tables.items()},
        buckets=storage.arns,
        key=key_arn,
        region=account.region,
    ).apply(lambda values: ResourceArns(**values))
    compute = create_functions(
        topology,
        config,
        arns=arns,
        queues=messaging.queues,
        key_arn=key_arn,
        account=account,
        tagger=tagger,
    )
    create_alarms(topology, alerts=messaging.topics[TOPIC_ALERTS], tagger=tagger)
    dashboard = create_dashboard(topology, account.region)
    return Stack(key_arn, messaging, storage, tables, compute.functions, compute.portals, dashboard)
