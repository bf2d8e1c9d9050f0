"""What `pulumi up` runs: the stack built from `contracts/topology.py` with this stack's config."""

import pulumi

from ior_stack.config import StackConfig
from ior_stack.stack import build

stack = build(StackConfig.from_pulumi())

pulumi.export("key_arn", stack.key_arn)
pulumi.export("topic_arns", {name: topic.arn for name, topic in stack.messaging.topics.items()})
pulumi.export("queue_urls", {name: queue.url for name, queue in stack.messaging.queues.items()})
pulumi.export("buckets", {name: bucket.bucket for name, bucket in stack.storage.buckets.items()})
pulumi.export("tables", {name: table.name for name, table in stack.tables.items()})
pulumi.export("functions", {name: function.name for name, function in stack.functions.items()})
pulumi.export("portal_url", {name: portal.url for name, portal in stack.portals.items()})
pulumi.export(
    "portal_api", {name: portal.api.api_endpoint for name, portal in stack.portals.items()}
)
pulumi.export("dashboard", stack.dashboard.dashboard_name)
