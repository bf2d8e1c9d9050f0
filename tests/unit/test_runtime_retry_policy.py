"""One retry layer: a logical AWS call against an endpoint that keeps throttling or failing makes
exactly botocore's `MAX_ATTEMPTS` HTTP requests, for the synchronous clients of the service edges
and for the asynchronous client of the worker alike (ARCHITECTURE.md, Runtime)."""

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.exceptions import ClientError

from services.runtime.aws.blobs import BlobStore
from services.runtime.aws.clients import MAX_ATTEMPTS, AwsClients, async_client
from services.runtime.messaging.idempotency import IdempotencyStore
from services.runtime.settings import Settings


@dataclass(frozen=True)
class Refusal:
    """What the endpoint answers to every request."""

    status: int
    body: bytes
    content_type: str


S3_SLOW_DOWN = Refusal(
    503,
    b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
    "application/xml",
)
DYNAMODB_THROTTLED = Refusal(
    400,
    b'{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}',
    "application/x-amz-json-1.0",
)
SQS_UNAVAILABLE = Refusal(
    503,
    b'{"__type":"com.amazonaws.sqs#ServiceUnavailable","message":"Service unavailable"}',
    "application/x-amz-json-1.0",
)


@dataclass
class RefusingEndpoint:
    url: str
    refusal: Refusal = S3_SLOW_DOWN
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def endpoint() -> Iterator[RefusingEndpoint]:
    state = RefusingEndpoint("")

    class Refuse(BaseHTTPRequestHandler):
        def _refuse(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.requests.append(f"{self.command} {self.path}")
            self.send_response(state.refusal.status)
            self.send_header("Content-Type", state.refusal.content_type)
            self.send_header("Content-Length", str(len(state.refusal.body)))
            self.end_headers()
            self.wfile.write(state.refusal.body)

        do_GET = do_POST = do_PUT = do_HEAD = _refuse

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
    state.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings(endpoint: RefusingEndpoint, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    return Settings.from_env().on_emulator(endpoint.url)


def test_an_s3_read_against_a_throttling_endpoint_makes_max_attempts_requests(endpoint, settings):
    blobs = BlobStore(AwsClients.from_settings(settings).s3)
    with pytest.raises(ClientError, match="SlowDown"):
        blobs.get("ior-raw", "sap/ZSDR002/x.json")
    assert len(endpoint.requests) == MAX_ATTEMPTS


def test_a_dynamodb_read_against_a_throttling_endpoint_makes_max_attempts_requests(
    endpoint, settings
):
    endpoint.refusal = DYNAMODB_THROTTLED
    store = IdempotencyStore(
        AwsClients.from_settings(settings).dynamodb, lease_seconds=90, retention_days=1
    )
    with pytest.raises(ClientError, match="ThrottlingException"):
        store.get("normalization:ior.ingestion:e1")
    assert len(endpoint.requests) == MAX_ATTEMPTS


def test_the_workers_async_client_makes_max_attempts_requests_too(endpoint, settings):
    endpoint.refusal = SQS_UNAVAILABLE

    async def receive() -> None:
        async with async_client(settings, "sqs") as sqs:
            await sqs.receive_message(QueueUrl=f"{endpoint.url}/000000000000/ior-normalization")

    # A loop of its own: `asyncio.run` would leave the thread without a current loop.
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(ClientError, match="ServiceUnavailable"):
            loop.run_until_complete(receive())
    finally:
        loop.close()
    assert len(endpoint.requests) == MAX_ATTEMPTS
