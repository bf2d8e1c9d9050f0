"""CloudFront in front of the portal's HTTP API: HTTPS only, nothing cached but the static files,
every viewer value but Host passed to the app, and the security headers on every response."""

import pytest

from tests.pulumi import tokens
from tests.pulumi.mocks import api_endpoint

# The managed policies' ids, as AWS documents them.
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
ONE_YEAR = 365 * 24 * 3600


@pytest.fixture(scope="module")
def distribution(resources):
    [distribution] = resources.of_type(tokens.DISTRIBUTION)
    return distribution.inputs


def behaviours(distribution):
    return [distribution["defaultCacheBehavior"], *distribution["orderedCacheBehaviors"]]


def test_the_origin_is_the_http_api_over_tls_1_2_only(resources, distribution):
    [api] = resources.of_type(tokens.API)
    [origin] = distribution["origins"]
    assert origin["domainName"] == api_endpoint(api.inputs["name"]).removeprefix("https://")
    config = origin["customOriginConfig"]
    assert config["originProtocolPolicy"] == "https-only"
    assert config["originSslProtocols"] == ["TLSv1.2"]


def test_every_behaviour_goes_to_the_api_and_redirects_plain_http(distribution):
    [origin] = distribution["origins"]
    assert {b["targetOriginId"] for b in behaviours(distribution)} == {origin["originId"]}
    assert {b["viewerProtocolPolicy"] for b in behaviours(distribution)} == {"redirect-to-https"}


def test_the_app_gets_every_request_uncached_with_all_it_needs_but_the_host(distribution):
    default = distribution["defaultCacheBehavior"]
    assert default["cachePolicyId"] == CACHING_DISABLED
    assert default["originRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    methods = {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert set(default["allowedMethods"]) == methods


def test_only_the_static_files_are_cached(distribution):
    [static] = distribution["orderedCacheBehaviors"]
    assert static["pathPattern"] == "/static/*"
    assert static["cachePolicyId"] == CACHING_OPTIMIZED
    assert static["allowedMethods"] == static["cachedMethods"] == ["GET", "HEAD"]
    assert "originRequestPolicyId" not in static  # no cookies or query strings for files


def test_every_response_carries_the_security_headers(resources, distribution):
    [policy] = resources.of_type(tokens.RESPONSE_HEADERS_POLICY)
    policy_id = policy.inputs["name"]  # the mocks' id
    assert {b["responseHeadersPolicyId"] for b in behaviours(distribution)} == {policy_id}
    headers = policy.inputs["securityHeadersConfig"]
    assert headers["strictTransportSecurity"]["accessControlMaxAgeSec"] >= ONE_YEAR
    assert headers["contentTypeOptions"] == {"override": True}
    assert headers["frameOptions"] == {"frameOption": "DENY", "override": True}
    assert headers["referrerPolicy"]["referrerPolicy"] == "strict-origin-when-cross-origin"
    assert all(header["override"] for header in headers.values())


def test_the_distribution_serves_http2_and_3_from_price_class_100(distribution):
    assert distribution["enabled"] is True
    assert distribution["httpVersion"] == "http2and3"
    assert distribution["priceClass"] == "PriceClass_100"


def test_the_distribution_uses_its_own_name_and_certificate(distribution):
    assert distribution["viewerCertificate"] == {"cloudfrontDefaultCertificate": True}
    assert "aliases" not in distribution


def test_the_distribution_is_tagged_as_the_portals(distribution):
    assert distribution["tags"]["service"] == "portal"
