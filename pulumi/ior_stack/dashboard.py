"""The ops dashboard: queue depths, DLQ depths, oldest message age and Lambda errors per service."""

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


def dashboard_body(topology: Topology, region: str) -> dict[str, Any]:
    queues = [topology.queue(service.queue) for service in topology.services]
    functions = [names.function_name(service.name) for service in topology.services]
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
            "Lambda errors",
            [["AWS/Lambda", "Errors", "FunctionName", name] for name in functions],
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
