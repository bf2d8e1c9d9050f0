"""`ior serve` (the portal's API with uvicorn) and `ior portal rebuild` (its read model)."""

from __future__ import annotations

import argparse
from contextlib import ExitStack
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import httpx
import uvicorn

from entrypoints.errors import UsageError
from services.runtime.context import RuntimeContext, available_services, service_module
from services.runtime.messaging.runner import BackgroundWorkers
from services.runtime.settings import Settings

if TYPE_CHECKING:
    from entrypoints.ops_cli import EndpointOption, SubParsers

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
DEFAULT_PORT = 8000


def register(subparsers: SubParsers, endpoint_option: EndpointOption) -> None:
    serve_text = (
        "serve the portal's pages (/) and API (/api, OpenAPI at /api/docs) with uvicorn; sign-in "
        "through the OIDC issuer of IOR_OIDC_*, or --dev-login on an emulator"
    )
    serve = subparsers.add_parser("serve", help=serve_text, description=serve_text)
    serve.set_defaults(handler=cmd_serve)
    endpoint_option(serve)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    serve.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1 (this machine only)")
    serve.add_argument(
        "--dev-login",
        action="store_true",
        help="a local issuer with a sign-in page that picks a role (emulator endpoints only)",
    )
    serve.add_argument(
        "--workers", action="store_true", help="also run the service workers in this process"
    )
    portal_text = "the portal's read model: rebuild"
    portal = subparsers.add_parser("portal", help=portal_text, description=portal_text)
    actions = portal.add_subparsers(dest="portal_action", required=True, metavar="ACTION")
    rebuild_text = "empty the read model and build it again from the events in the audit bucket"
    again = actions.add_parser("rebuild", help=rebuild_text, description=rebuild_text)
    again.set_defaults(handler=cmd_rebuild)
    endpoint_option(again)


def cmd_serve(args: argparse.Namespace) -> int:
    context = RuntimeContext.from_settings(_settings(args))
    if args.dev_login:
        refuse_unless_emulator(context.settings.endpoint_url)
    serve(context, port=args.port, host=args.host, dev_login=args.dev_login, workers=args.workers)
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    context = RuntimeContext.from_settings(_settings(args))
    summary = service_module("portal").rebuild_read_model(context)
    print(
        f"read model rebuilt: {summary.removed} item(s) removed, {summary.applied} event(s) applied"
    )
    return 0


def refuse_unless_emulator(endpoint: str | None) -> None:
    """A dev login hands out any role to anyone: only on an emulator on this machine."""
    host = urlparse(endpoint).hostname if endpoint else None
    if host not in LOCAL_HOSTS:
        raise UsageError(
            f"--dev-login runs only against a local emulator (localhost), not {endpoint or 'AWS'}"
        )


def serve(
    context: RuntimeContext, *, port: int, host: str = "127.0.0.1", dev_login: bool, workers: bool
) -> None:
    """Serve until Ctrl-C; with `workers`, the pipeline runs beside it (uploads, re-runs)."""
    public_url = f"http://{'localhost' if host in LOCAL_HOSTS else host}:{port}"
    portal = service_module("portal")
    with ExitStack() as stack:
        if dev_login:
            app = portal.dev_login_app(context, public_url)
        else:
            app = portal.api_app(context, stack.enter_context(httpx.Client(timeout=10)))
        if workers:
            stack.enter_context(BackgroundWorkers(context, available_services()))
        print(f"ior portal: {public_url}/ (API: {public_url}/api/docs)", flush=True)
        uvicorn.run(app, host=host, port=port, log_level="warning")


def _settings(args: argparse.Namespace) -> Settings:
    settings: Settings = args.settings
    return settings.with_endpoint(args.endpoint) if args.endpoint else settings
