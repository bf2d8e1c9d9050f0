"""Every alarm of the topology watches a metric series something really emits: ior's own metrics
as `services.runtime.metrics.EMITTED` declares them (the declarations the records are built
from), AWS's as its services publish them for the topology's resources."""

import pytest

from contracts.topology import EVENT_TOPICS, TOPOLOGY, Alarm
from services.runtime.metrics import EMITTED, NAMESPACE, Metric

ALARMS = {alarm.name: alarm for alarm in TOPOLOGY.alarms}
QUEUE_NAMES = {name for queue in TOPOLOGY.queues for name in (queue.name, queue.dlq_name)}
# What SQS publishes per queue (the AWS documentation's metric names); nothing else is alarmed on.
SQS_METRICS = {"ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"}


def declared(alarm: Alarm) -> Metric:
    [metric] = [m for m in EMITTED if (m.namespace, m.name) == (alarm.namespace, alarm.metric)]
    return metric


def published_types(service: str) -> set[str]:
    topics = set(TOPOLOGY.service(service).publishes)
    return {event_type for event_type, topic in EVENT_TOPICS.items() if topic in topics}


@pytest.mark.parametrize("alarm", ALARMS.values(), ids=ALARMS.keys())
def test_alarm_names_a_metric_series_that_is_emitted(alarm):
    dimensions = dict(alarm.dimensions)
    if alarm.namespace == "AWS/SQS":
        assert alarm.metric in SQS_METRICS
        assert set(dimensions) == {"QueueName"} and dimensions["QueueName"] in QUEUE_NAMES
        return
    assert alarm.namespace == NAMESPACE
    metric = declared(alarm)
    # CloudWatch matches a series by its exact set of dimensions, not a subset of them.
    assert tuple(sorted(dimensions)) in {tuple(sorted(names)) for names in metric.dimension_sets}
    assert dimensions["service"] in {service.name for service in TOPOLOGY.services}
    if "type" in dimensions and metric.name == "Published":
        assert dimensions["type"] in published_types(dimensions["service"])


def test_the_comparison_alarm_fires_on_the_alert_the_comparison_raises_for_differences():
    alarm = ALARMS["ior-comparison-failures"]
    assert (alarm.namespace, alarm.metric) == (NAMESPACE, "Published")
    assert dict(alarm.dimensions) == {"service": "comparison", "type": "ior.alert.raised"}
