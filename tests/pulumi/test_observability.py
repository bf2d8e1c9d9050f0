"""Alarms from the topology notify the alerts topic; the dashboard shows every service's queues."""

import json

import pytest

from contracts.topology import TOPIC_ALERTS, TOPOLOGY
from services.runtime.metrics import EMITTED, NAMESPACE
from tests.pulumi import tokens
from tests.pulumi.mocks import arn

ALARMS = [alarm.name for alarm in TOPOLOGY.alarms]


@pytest.mark.parametrize("alarm", ALARMS)
def test_topology_alarm_notifies_the_alerts_topic(resources, alarm):
    recorded = resources.named(tokens.ALARM, alarm).inputs
    assert recorded["alarmActions"] == [arn(tokens.TOPIC, TOPIC_ALERTS)]


@pytest.mark.parametrize("alarm", TOPOLOGY.alarms, ids=ALARMS)
def test_topology_alarm_watches_its_metric_dimension_and_threshold(resources, alarm):
    recorded = resources.named(tokens.ALARM, alarm.name).inputs
    assert (
        recorded["namespace"],
        recorded["metricName"],
        recorded["dimensions"],
        recorded["statistic"],
        recorded["threshold"],
        recorded["period"],
        recorded["evaluationPeriods"],
    ) == (
        alarm.namespace,
        alarm.metric,
        dict(alarm.dimensions),
        alarm.statistic,
        alarm.threshold,
        alarm.period_seconds,
        alarm.evaluation_periods,
    )


def test_there_are_no_alarms_beyond_the_topology(resources):
    assert len(resources.of_type(tokens.ALARM)) == len(TOPOLOGY.alarms)


def dashboard_metrics(resources):
    (dashboard,) = resources.of_type(tokens.DASHBOARD)
    body = json.loads(dashboard.inputs["dashboardBody"])
    return {tuple(m) for widget in body["widgets"] for m in widget["properties"]["metrics"]}


def test_dashboard_shows_queue_depth_dlq_depth_and_oldest_age_of_every_queue(resources):
    queues = [TOPOLOGY.queue(service.queue) for service in TOPOLOGY.services]
    expected = {
        ("AWS/SQS", metric, "QueueName", name)
        for queue in queues
        for metric, name in (
            ("ApproximateNumberOfMessagesVisible", queue.name),
            ("ApproximateNumberOfMessagesVisible", queue.dlq_name),
            ("ApproximateAgeOfOldestMessage", queue.name),
        )
    }
    assert expected <= dashboard_metrics(resources)


def test_dashboard_shows_failed_dead_lettered_and_deferred_messages_of_every_service(resources):
    expected = {
        ("ior", metric, "service", service.name)
        for service in TOPOLOGY.services
        for metric in ("Failed", "DeadLettered", "Deferred")
    }
    assert expected <= dashboard_metrics(resources)


def test_dashboard_has_no_lambda_errors_widget_the_adapter_never_raises(resources):
    assert not {metric for metric in dashboard_metrics(resources) if metric[0] == "AWS/Lambda"}


def test_every_ior_metric_on_the_dashboard_is_one_the_runtime_emits_per_service(resources):
    per_service = {m.name for m in EMITTED if ("service",) in m.dimension_sets}
    shown = {metric for metric in dashboard_metrics(resources) if metric[0] == NAMESPACE}
    assert shown and {(name, dimension) for _, name, dimension, _ in shown} <= {
        (name, "service") for name in per_service
    }
