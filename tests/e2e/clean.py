"""A clean state between e2e tests.

The resource names are fixed (every service resolves them from `contracts/topology.py`), so tests
cannot use unique names. Instead each test starts from the state right after provisioning: every
queue and DLQ purged (LocalStack purges at once, in-flight messages included, and allows it any
number of times), queue attributes a test changed put back, the buckets emptied and the tables
cleared. The audit bucket has a COMPLIANCE object lock and cannot be emptied; no e2e test makes
the audit service write to it.
"""

from __future__ import annotations

from contracts.topology import TOPOLOGY
from services.runtime.context import RuntimeContext


def reset_state(context: RuntimeContext) -> None:
    """Every queue, bucket and table of the topology as right after provisioning."""
    sqs, s3, dynamodb = context.clients.sqs, context.clients.s3, context.clients.dynamodb
    for queue in TOPOLOGY.queues:
        for name in (queue.name, queue.dlq_name):
            sqs.purge_queue(QueueUrl=context.names.queue_url(name))
        sqs.set_queue_attributes(
            QueueUrl=context.names.queue_url(queue.name),
            Attributes={"VisibilityTimeout": str(queue.visibility_timeout_seconds)},
        )
    for bucket in TOPOLOGY.buckets:
        if bucket.object_lock:
            continue
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket.name):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                s3.delete_objects(Bucket=bucket.name, Delete={"Objects": keys, "Quiet": True})
    for table in TOPOLOGY.tables:
        keys = [table.partition_key, *([table.sort_key] if table.sort_key else [])]
        projection = ", ".join(f"#k{i}" for i in range(len(keys)))
        names = {f"#k{i}": key for i, key in enumerate(keys)}
        pages = dynamodb.get_paginator("scan").paginate(
            TableName=table.name, ProjectionExpression=projection, ExpressionAttributeNames=names
        )
        for page in pages:
            for item in page.get("Items", []):
                dynamodb.delete_item(TableName=table.name, Key=item)
