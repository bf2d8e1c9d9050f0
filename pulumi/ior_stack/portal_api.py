"""The portal's HTTP face: its Lambda (the ASGI app through Mangum) behind an API Gateway HTTP
API, behind a CloudFront distribution (`portal_edge`) whose address is the app's public URL.

The one app serves the JSON API to bearer-token clients, and pages, their static files and their
own calls (`/web/api/…`) to people signed in with a session cookie. The gateway's JWT authorizer
checks the issuer and audience of bearer tokens under `/api/`; it cannot read a cookie, so the
pages' routes pass without it. The app checks every token and session itself (signature, claims,
roles, CSRF), so it is safe behind any front. The role is derived from the face's `ApiFace` entry
in the topology.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from contracts.topology import ApiFace, Topology
from ior_stack import names
from ior_stack.config import PortalConfig, StackConfig
from ior_stack.iam import ResourceArns, api_policy
from ior_stack.portal_edge import create_portal_edge, public_url
from ior_stack.tags import Tagger

HANDLER = "services.portal.lambda_api.handler"
# Open: the health check is for probes; the code flow's requests come before any token or session
# exists; the static files hold no data and the signed-out page needs them without a session.
OPEN_ROUTES = ("GET /api/health", "ANY /auth/{proxy+}", "GET /static/{proxy+}")
# No gateway authorizer, since a browser's session is a cookie and the authorizer reads only the
# Authorization header: the app refuses whatever has no valid session (pages redirect to sign-in).
# `/{proxy+}` carries every page and the pages' own calls to `/web/api/…`.
SESSION_ROUTES = ("GET /", "ANY /{proxy+}")
# Bearer-token clients; API Gateway takes the most specific route, so these win over `/{proxy+}`.
TOKEN_ROUTES = ("ANY /api/{proxy+}",)


@dataclass(frozen=True)
class PortalFront:
    api: aws.apigatewayv2.Api
    distribution: aws.cloudfront.Distribution
    url: pulumi.Output[str]  # where people reach the portal


def create_portal_api(
    face: ApiFace,
    topology: Topology,
    config: StackConfig,
    portal: PortalConfig,
    *,
    arns: pulumi.Output[ResourceArns],
    function_args: Mapping[str, object],
    trust_policy: pulumi.Output[str],
    key_arn: pulumi.Output[str],
    tagger: Tagger,
) -> PortalFront:
    name = names.function_name(face.name)
    tags = tagger.service(face.service)
    # The app must know its public URL (the sign-in's redirect URI) before it is deployed, so the
    # API and the distribution come first and the function and its routes after.
    api = aws.apigatewayv2.Api(name, name=name, protocol_type="HTTP", tags=tags)
    distribution = create_portal_edge(name, api, tags=tags)
    url = public_url(distribution)
    log_group = aws.cloudwatch.LogGroup(
        names.log_group_name(face.name),
        name=names.log_group_name(face.name),
        retention_in_days=config.log_retention_days,
        kms_key_id=key_arn,
        tags=tags,
    )
    role = aws.iam.Role(
        names.role_name(face.name),
        name=names.role_name(face.name),
        assume_role_policy=trust_policy,
        tags=tags,
    )
    aws.iam.RolePolicy(
        names.role_name(face.name),
        name="least-privilege",
        role=role.id,
        policy=pulumi.Output.all(arns, log_group.arn).apply(
            lambda values: json.dumps(api_policy(face, topology, values[0], values[1]))
        ),
    )
    function = aws.lambda_.Function(
        name,
        name=name,
        role=role.arn,
        handler=HANDLER,
        environment=aws.lambda_.FunctionEnvironmentArgs(
            variables={
                "IOR_SERVICE": face.name,
                "IOR_OIDC_ISSUER": portal.oidc_issuer,
                "IOR_OIDC_AUDIENCE": portal.oidc_audience,
                "IOR_OIDC_CLIENT_ID": portal.oidc_client_id,
                "IOR_OIDC_ROLES_CLAIM": portal.oidc_roles_claim,
                "IOR_SESSION_SECRET": portal.session_secret,
                "IOR_PUBLIC_URL": url,
            }
        ),
        logging_config=aws.lambda_.FunctionLoggingConfigArgs(
            log_format="Text", log_group=log_group.name
        ),
        tags=tags,
        **function_args,  # type: ignore[arg-type]
    )
    authorizer = aws.apigatewayv2.Authorizer(
        name,
        api_id=api.id,
        name="oidc",
        authorizer_type="JWT",
        identity_sources=["$request.header.Authorization"],
        jwt_configuration=aws.apigatewayv2.AuthorizerJwtConfigurationArgs(
            issuer=portal.oidc_issuer, audiences=[portal.oidc_audience]
        ),
    )
    integration = aws.apigatewayv2.Integration(
        name,
        api_id=api.id,
        integration_type="AWS_PROXY",
        integration_uri=function.invoke_arn,
        payload_format_version="2.0",
    )
    target = integration.id.apply(lambda integration_id: f"integrations/{integration_id}")
    for route in (*OPEN_ROUTES, *SESSION_ROUTES):
        aws.apigatewayv2.Route(f"{name} {route}", api_id=api.id, route_key=route, target=target)
    for route in TOKEN_ROUTES:
        aws.apigatewayv2.Route(
            f"{name} {route}",
            api_id=api.id,
            route_key=route,
            target=target,
            authorization_type="JWT",
            authorizer_id=authorizer.id,
        )
    aws.apigatewayv2.Stage(name, api_id=api.id, name="$default", auto_deploy=True, tags=tags)
    aws.lambda_.Permission(
        name,
        action="lambda:InvokeFunction",
        function=function.name,
        principal="apigateway.amazonaws.com",
        source_arn=api.execution_arn.apply(lambda execution_arn: f"{execution_arn}/*/*"),
    )
    return PortalFront(api, distribution, url)
