"""Turns topology names into queue URLs and ARNs, once per name (cached)."""

from __future__ import annotations

import threading

from services.runtime.aws.clients import AwsClients


class NameResolver:
    """Resolves names through the APIs a least-privilege role may call on its own resources.

    Topic ARNs are built from the caller's account (STS `GetCallerIdentity` needs no permission)
    instead of `ListTopics`, which would need `*` as its resource.
    """

    def __init__(self, clients: AwsClients) -> None:
        self._clients = clients
        self._queue_urls: dict[str, str] = {}
        self._account_id: str | None = None
        self._lock = threading.Lock()

    def queue_url(self, name: str) -> str:
        with self._lock:
            if name not in self._queue_urls:
                self._queue_urls[name] = self._clients.sqs.get_queue_url(QueueName=name)["QueueUrl"]
            return self._queue_urls[name]

    def queue_arn(self, name: str) -> str:
        return f"arn:aws:sqs:{self._region}:{self.account_id()}:{name}"

    def queue_arn_from_url(self, url: str) -> str:
        return self.queue_arn(url.rstrip("/").rsplit("/", 1)[-1])

    def topic_arn(self, name: str) -> str:
        return f"arn:aws:sns:{self._region}:{self.account_id()}:{name}"

    @property
    def _region(self) -> str:
        return self._clients.sns.meta.region_name

    def account_id(self) -> str:
        """The caller's AWS account (asked once)."""
        with self._lock:
            if self._account_id is None:
                self._account_id = self._clients.sts.get_caller_identity()["Account"]
            return self._account_id
