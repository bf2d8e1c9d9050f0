"""The ops dashboard: queue depths, DLQ depths and oldest message age per queue; failed,
dead-lettered and deferred messages per service (ior's own EMF metrics).

No Lambda `Errors` widget: the Lambda adapter settles every message itself (retry, DLQ or defer)
and never raises, so that metric stays at zero whatever happens; the `Failed` metric is the one
that shows failures, from the Lambda functions and the workers alike.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from contracts.topology import Topology
from ior_stack import names

WIDTH = 12
HEIGHT = 6
PERIOD_SECONDS = 60
# The namespace of the metrics the runtime emits (services/runtime/metrics.py).
METRICS_NAMESPACE = "ior"


def dashboard_body(topology: Topology, region: str) -> dict[str, Any]:
    queues = [topology.queue(service.queue) for service in topology.services]
    services = [service.name for service in topology.services]
    widgets = [
        _widget(
            "Queue depth (visible messages)",
            [
                ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q.name]
                for q in queues
            ],
            "Maximum",
            region,
        ),
        _widget(
            "DLQ depth: replay with `ior dlq`",
            [
                ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q.dlq_name]
                for q in queues
            ],
            "Maximum",
            region,
        ),
        _widget(
            "Oldest message age (seconds)",
            [["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", q.name] for q in queues],
            "Maximum",
            region,
        ),
        _widget(
            "Failed messages (retried or dead-lettered)",
            [[METRICS_NAMESPACE, "Failed", "service", name] for name in services],
            "Sum",
            region,
        ),
        _widget(
            "Dead-lettered messages: `ior dlq peek SERVICE`",
            [[METRICS_NAMESPACE, "DeadLettered", "service", name] for name in services],
            "Sum",
            region,
        ),
        _widget(
            "Deferred messages (a live lease, or AWS unavailable)",
            [[METRICS_NAMESPACE, "Deferred", "service", name] for name in services],
            "Sum",
            region,
        ),
    ]
    for position, widget in enumerate(widgets):
        widget["x"] = (position % 2) * WIDTH
        widget["y"] = (position // 2) * HEIGHT
    return {"widgets": widgets}


def _widget(title: str, metrics: list[list[str]], stat: str, region: str) -> dict[str, Any]:
    return {
        "type": "metric",
        "width": WIDTH,
        "height": HEIGHT,
        "properties": {
            "title": title,
            "view": "timeSeries",
            "region": region,
            "stat": stat,
            "period": PERIOD_SECONDS,
            "metrics": metrics,
        },
    }


def create_dashboard(topology: Topology, region: pulumi.Output[str]) -> aws.cloudwatch.Dashboard:
    return aws.cloudwatch.Dashboard(
        names.DASHBOARD,
        dashboard_name=names.DASHBOARD,
        dashboard_body=region.apply(lambda name: json.dumps(dashboard_body(topology, name))),
    )
