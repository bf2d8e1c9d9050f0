"""AWS adapters and storage: clients, S3 blobs, DynamoDB batches and reference snapshots, queue
and topic names, where files land in the raw bucket."""
