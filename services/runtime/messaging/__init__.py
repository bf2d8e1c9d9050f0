"""Consuming messages: the message model, the processor (claim, handle, publish, dead-letter),
the SQS worker and the Lambda adapter, the publisher and the claim-check store."""
