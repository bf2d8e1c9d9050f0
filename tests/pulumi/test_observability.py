"""Alarms from the topology notify the alerts topic; the dashboard shows every service's queues."""

import json

import pytest

from contracts.topology import TOPIC_ALERTS, TOPOLOGY
from ior_stack import names
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
        {alarm.dimension_name: alarm.dimension_value},
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


def test_dashboard_shows_errors_of_every_function(resources):
    expected = {
        ("AWS/Lambda", "Errors", "FunctionName", names.function_name(service.name))
        for service in TOPOLOGY.services
    }
    assert expected <= dashboard_metrics(resources)
