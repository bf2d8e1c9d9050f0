"""The portal's public address: a CloudFront distribution in front of its HTTP API.

Nothing is cached but the static files (their paths name their content, see
`services/portal/web/assets.py`, so a deploy is seen at once): every other request reaches the
app with its cookies, query string and Authorization header, since the app decides on each one.
API Gateway answers only to its own host name, so the viewer's Host header stays behind. The
distribution's own `*.cloudfront.net` name and certificate serve; a custom domain would need an
ACM certificate in us-east-1, which the stack does not configure.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pulumi
import pulumi_aws as aws

# AWS-managed policies, by their documented ids (the same in every account).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"

ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]
READ_METHODS = ["GET", "HEAD"]
STATIC_FILES = "/static/*"
# The cheapest: edge locations in North America, Europe and Israel (people elsewhere are served
# from the nearest of those).
PRICE_CLASS = "PriceClass_100"
HSTS_SECONDS = 2 * 365 * 24 * 3600
ORIGIN_ID = "portal-api"


def create_portal_edge(
    name: str, api: aws.apigatewayv2.Api, *, tags: dict[str, str]
) -> aws.cloudfront.Distribution:
    headers = _security_headers(name)
    return aws.cloudfront.Distribution(
        name,
        comment=f"{name}: the portal's pages, API and sign-in",
        enabled=True,
        is_ipv6_enabled=True,
        http_version="http2and3",
        price_class=PRICE_CLASS,
        origins=[
            aws.cloudfront.DistributionOriginArgs(
                origin_id=ORIGIN_ID,
                domain_name=api.api_endpoint.apply(lambda url: urlparse(url).netloc),
                custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
                    http_port=80,
                    https_port=443,
                    origin_protocol_policy="https-only",
                    origin_ssl_protocols=["TLSv1.2"],
                ),
            )
        ],
        default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
            target_origin_id=ORIGIN_ID,
            viewer_protocol_policy="redirect-to-https",
            allowed_methods=ALL_METHODS,
            cached_methods=READ_METHODS,
            cache_policy_id=CACHING_DISABLED,
            origin_request_policy_id=ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy_id=headers.id,
        ),
        ordered_cache_behaviors=[
            # The app's CSS and JavaScript, the same for everyone: no cookie or query string
            # reaches the origin, and the origin gets its own Host header.
            aws.cloudfront.DistributionOrderedCacheBehaviorArgs(
                path_pattern=STATIC_FILES,
                target_origin_id=ORIGIN_ID,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=READ_METHODS,
                cached_methods=READ_METHODS,
                cache_policy_id=CACHING_OPTIMIZED,
                compress=True,
                response_headers_policy_id=headers.id,
            )
        ],
        restrictions=aws.cloudfront.DistributionRestrictionsArgs(
            geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(
                restriction_type="none"
            )
        ),
        viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
            cloudfront_default_certificate=True
        ),
        tags=tags,
    )


def public_url(distribution: aws.cloudfront.Distribution) -> pulumi.Output[str]:
    """Where people reach the portal, and where the sign-in returns them (`IOR_PUBLIC_URL`)."""
    return distribution.domain_name.apply(lambda domain: f"https://{domain}")


def _security_headers(name: str) -> aws.cloudfront.ResponseHeadersPolicy:
    """The headers the app does not set itself. Not the managed SecurityHeadersPolicy: that one
    allows framing by the same origin, and no page of the portal belongs in a frame."""
    return aws.cloudfront.ResponseHeadersPolicy(
        f"{name}-security-headers",
        name=f"{name}-security-headers",
        security_headers_config={
            "strict_transport_security": {
                "access_control_max_age_sec": HSTS_SECONDS,
                "include_subdomains": True,
                "override": True,
            },
            "content_type_options": {"override": True},
            "frame_options": {"frame_option": "DENY", "override": True},
            "referrer_policy": {
                "referrer_policy": "strict-origin-when-cross-origin",
                "override": True,
            },
        },
    )
