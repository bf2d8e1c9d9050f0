"""The portal's HTTP face: API Gateway HTTP API whose JWT authorizer guards the bearer clients'
API (pages, static files and sign-in pass to the app, which checks the session), the ASGI app as a
Lambda that knows its public URL, and a role with exactly what its topology entry allows."""

import pytest

from contracts.topology import (
    BUCKET_RAW,
    QUEUE_PORTAL,
    TABLE_PORTAL_VIEWS,
    TOPIC_PORTAL,
    TOPOLOGY,
)
from ior_stack.portal_api import OPEN_ROUTES, SESSION_ROUTES, TOKEN_ROUTES
from tests.pulumi import tokens
from tests.pulumi.mocks import arn, distribution_domain
from tests.pulumi.policies import TABLE_WRITE, function_of, granted

FACE = TOPOLOGY.api_faces[0]
AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer"
ROUTE = "aws:apigatewayv2/route:Route"
INTEGRATION = "aws:apigatewayv2/integration:Integration"
PERMISSION = "aws:lambda/permission:Permission"
OPEN = {"GET /api/health", "ANY /auth/{proxy+}", "GET /static/{proxy+}"}
SESSION = {"GET /", "ANY /{proxy+}"}
TOKEN = {"ANY /api/{proxy+}"}


def test_one_http_api(resources):
    [api] = resources.of_type(tokens.API)
    assert api.inputs["protocolType"] == "HTTP"


def test_the_jwt_authorizer_checks_the_configured_issuer_and_audience(resources, config):
    [authorizer] = resources.of_type(AUTHORIZER)
    assert authorizer.inputs["authorizerType"] == "JWT"
    assert authorizer.inputs["identitySources"] == ["$request.header.Authorization"]
    jwt = authorizer.inputs["jwtConfiguration"]
    assert jwt == {"issuer": config.portal.oidc_issuer, "audiences": [config.portal.oidc_audience]}


def test_routes_are_open_session_or_token_routes(resources):
    """Open: nothing to check yet (probes, the code flow, files without data). Session: the pages
    and their `/web/api/…` calls carry a cookie, which only the app reads. Token: bearer clients,
    checked by the gateway first; `/api/{proxy+}` wins over `/{proxy+}`, being more specific."""
    routes = {
        r.inputs["routeKey"]: r.inputs.get("authorizationType") for r in resources.of_type(ROUTE)
    }
    assert routes == {**dict.fromkeys(OPEN | SESSION, None), **dict.fromkeys(TOKEN, "JWT")}


def test_the_route_tables_name_the_three_groups():
    assert set(OPEN_ROUTES) == OPEN
    assert set(SESSION_ROUTES) == SESSION
    assert set(TOKEN_ROUTES) == TOKEN


def test_the_token_route_uses_the_oidc_authorizer(resources):
    [authorizer] = resources.of_type(AUTHORIZER)
    [route] = [r for r in resources.of_type(ROUTE) if r.inputs.get("authorizationType") == "JWT"]
    assert route.inputs["authorizerId"] == authorizer.inputs["name"]  # the mocks' id


def test_every_route_reaches_the_app(resources):
    [integration] = resources.of_type(INTEGRATION)
    targets = {r.inputs["target"] for r in resources.of_type(ROUTE)}
    assert targets == {f"integrations/{integration.name}"}


def test_the_app_knows_the_public_url_people_reach_it_at(resources):
    [distribution] = resources.of_type(tokens.DISTRIBUTION)
    variables = function_of(resources, FACE.name).inputs["environment"]["variables"]
    assert variables["IOR_PUBLIC_URL"] == f"https://{distribution_domain(distribution.name)}"


def test_the_api_runs_the_asgi_app_through_a_proxy_integration(resources):
    function = function_of(resources, FACE.name).inputs
    assert function["handler"] == "services.portal.lambda_api.handler"
    assert function["environment"]["variables"]["IOR_OIDC_ROLES_CLAIM"] == "roles"
    [integration] = resources.of_type(INTEGRATION)
    assert integration.inputs["integrationType"] == "AWS_PROXY"
    assert integration.inputs["payloadFormatVersion"] == "2.0"
    [permission] = resources.of_type(PERMISSION)
    assert permission.inputs["principal"] == "apigateway.amazonaws.com"


def test_the_api_has_no_event_source(resources):
    function = arn(tokens.FUNCTION, function_of(resources, FACE.name).inputs["name"])
    mappings = [
        m for m in resources.of_type(tokens.EVENT_SOURCE) if m.inputs["functionName"] == function
    ]
    assert mappings == []


def test_the_api_writes_no_table(resources):
    writes = {(a, r) for a, r in granted(resources, FACE.name) if a in TABLE_WRITE}
    assert writes == set()
    assert ("dynamodb:Query", arn(tokens.TABLE, TABLE_PORTAL_VIEWS)) in granted(
        resources, FACE.name
    )


def test_the_api_puts_objects_only_under_upload(resources):
    puts = {r for a, r in granted(resources, FACE.name) if a == "s3:PutObject"}
    claim_checks = {r for r in puts if "ior-events" in r}
    assert puts - claim_checks == {f"{arn(tokens.BUCKET, BUCKET_RAW)}/upload/*"}


def test_the_api_reads_only_the_prefixes_it_serves(resources):
    reads = {r for a, r in granted(resources, FACE.name) if a == "s3:GetObject"}
    expected = {
        f"{arn(tokens.BUCKET, g.bucket)}/{g.prefix}*"
        for g in FACE.buckets
        if g.access.value in ("read", "read_write")
    }
    assert reads == expected
    assert not any(r.endswith("/sap/*") or "ior-audit" in r for r in reads)


def test_the_api_publishes_only_to_the_portal_topic(resources):
    topics = {r for a, r in granted(resources, FACE.name) if a == "sns:Publish"}
    assert topics == {arn(tokens.TOPIC, TOPIC_PORTAL)}


@pytest.mark.parametrize("action", ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:PurgeQueue"])
def test_the_api_takes_messages_only_from_dead_letter_queues(resources, action):
    queues = {r for a, r in granted(resources, FACE.name) if a == action}
    assert queues and all(q.endswith("-dlq") for q in queues)
    assert arn(tokens.QUEUE, QUEUE_PORTAL) not in queues
