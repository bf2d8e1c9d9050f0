"""The four tags on every taggable resource: project, environment, service and cost-centre.

`service` names the one service a resource belongs to (its queue, function, role, log group, the
topic only it publishes to), or `shared` for what several services use (key, buckets, tables).
"""

from __future__ import annotations

from contracts.topology import PROJECT, Alarm, Topology
from ior_stack.config import StackConfig

SHARED = "shared"


class Tagger:
    def __init__(self, config: StackConfig, topology: Topology) -> None:
        self._config = config
        self._topology = topology

    def shared(self) -> dict[str, str]:
        return self.service(SHARED)

    def service(self, service: str) -> dict[str, str]:
        return {
            "project": PROJECT,
            "environment": self._config.environment,
            "service": service,
            "cost-centre": self._config.cost_centre,
        }

    def queue(self, queue: str) -> dict[str, str]:
        """A queue or its DLQ belongs to the service consuming the queue."""
        owners = [
            service.name
            for service in self._topology.services
            if queue in (service.queue, self._topology.queue(service.queue).dlq_name)
        ]
        return self.service(owners[0] if owners else SHARED)

    def topic(self, topic: str) -> dict[str, str]:
        publishers = [s.name for s in self._topology.services if topic in s.publishes]
        return self.service(publishers[0] if len(publishers) == 1 else SHARED)

    def alarm(self, alarm: Alarm) -> dict[str, str]:
        """An alarm belongs to the owner of the queue or the service it watches."""
        dimensions = dict(alarm.dimensions)
        if "QueueName" in dimensions:
            return self.queue(dimensions["QueueName"])
        if "service" in dimensions:
            return self.service(dimensions["service"])
        return self.shared()
