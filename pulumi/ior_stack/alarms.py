"""CloudWatch alarms from `TOPOLOGY.alarms`, each notifying the alerts topic ops subscribe to."""

from __future__ import annotations

import pulumi_aws as aws

from contracts.topology import Topology
from ior_stack.tags import Tagger

# Every topology alarm is "more than threshold" (a message in a DLQ, an old message, a failure).
COMPARISON = "GreaterThanThreshold"
# No data means no messages and no failures: the healthy state, not a reason to page.
MISSING_DATA = "notBreaching"


def create_alarms(
    topology: Topology, *, alerts: aws.sns.Topic, tagger: Tagger
) -> list[aws.cloudwatch.MetricAlarm]:
    return [
        aws.cloudwatch.MetricAlarm(
            alarm.name,
            name=alarm.name,
            alarm_description=alarm.description,
            namespace=alarm.namespace,
            metric_name=alarm.metric,
            dimensions=dict(alarm.dimensions),
            statistic=alarm.statistic,
            threshold=alarm.threshold,
            period=alarm.period_seconds,
            evaluation_periods=alarm.evaluation_periods,
            comparison_operator=COMPARISON,
            treat_missing_data=MISSING_DATA,
            alarm_actions=[alerts.arn],
            ok_actions=[alerts.arn],
            tags=tagger.alarm(alarm),
        )
        for alarm in topology.alarms
    ]
