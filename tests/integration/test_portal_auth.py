"""Sign-in and roles of the portal API: OIDC tokens checked against the issuer's JWKS, the
authorization-code flow with PKCE, roles per route, CSRF on cookie sessions, RFC 9457 bodies."""

import time

import pytest
from joserfc.jwk import RSAKey

from services.runtime.operations.replay import ReplayMethod
from tests.portal_app import bearer

pytestmark = pytest.mark.integration


def assert_problem(response, status):
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"].startswith("urn:ior:problem:")
    assert body["detail"]
    return body


def test_health_needs_no_sign_in(client):
    assert client.get("/api/health").json() == {"status": "ok"}


def test_no_token_is_401_with_a_problem_body(client):
    body = assert_problem(client.get("/api/calculations"), 401)
    assert body["type"] == "urn:ior:problem:unauthenticated"


def test_a_token_signed_by_another_key_is_401(client, issuer):
    forger = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
    assert_problem(
        client.get("/api/calculations", headers=bearer(issuer, "admin", key=forger)), 401
    )


def test_a_token_for_another_audience_is_401(client, issuer):
    headers = bearer(issuer, "admin", aud="api://someone-else")
    assert_problem(client.get("/api/calculations", headers=headers), 401)


def test_an_expired_token_is_401(client, issuer):
    headers = bearer(issuer, "admin", exp=int(time.time()) - 3600)
    assert_problem(client.get("/api/calculations", headers=headers), 401)


def test_a_token_not_valid_yet_is_401(client, issuer):
    headers = bearer(issuer, "admin", nbf=int(time.time()) + 3600)
    assert_problem(client.get("/api/calculations", headers=headers), 401)


def test_a_token_from_another_issuer_is_401(client, issuer):
    headers = bearer(issuer, "admin", iss="https://elsewhere.test")
    assert_problem(client.get("/api/calculations", headers=headers), 401)


def test_a_viewer_reads(client, issuer):
    response = client.get("/api/calculations", headers=bearer(issuer, "viewer"))
    assert response.status_code == 200 and response.json()["items"] == []


def test_a_token_without_a_known_role_is_403(client, issuer):
    assert_problem(client.get("/api/calculations", headers=bearer(issuer, "guest")), 403)


def test_a_viewer_may_not_upload(client, issuer):
    files = {"file": ("ZEMM005.csv", b"a,b\n1,2\n", "text/csv")}
    response = client.post("/api/uploads/ZEMM005", files=files, headers=bearer(issuer, "viewer"))
    assert_problem(response, 403)


def test_an_operator_may_not_replay_dead_letters(client, issuer):
    response = client.post("/api/dlq/audit/replay", headers=bearer(issuer, "operator"))
    assert_problem(response, 403)


def test_an_admin_replays_as_a_dry_run_by_default(client, issuer):
    response = client.post("/api/dlq/audit/replay", headers=bearer(issuer, "Admin"))
    assert response.status_code == 200
    assert response.json()["method"] == ReplayMethod.DRY_RUN


def sign_in(client, issuer, roles):
    started = client.get("/auth/login", params={"return_to": "/api/me"}, follow_redirects=False)
    assert started.status_code == 302
    assert started.headers["location"].startswith("https://issuer.test/tenant/v2.0/authorize?")
    back = client.get(issuer.authorize(started.headers["location"], roles), follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == "/api/me"
    return back


def test_the_code_flow_with_pkce_ends_in_a_session_cookie(client, issuer):
    back = sign_in(client, issuer, ("operator",))
    cookie = back.headers["set-cookie"]
    assert "ior_session=" in cookie
    assert "HttpOnly" in cookie and "Secure" in cookie and "samesite=lax" in cookie.lower()
    me = client.get("/api/me").json()
    assert me["roles"] == ["operator"] and me["subject"] == "user-1"


def test_a_callback_with_a_forged_state_is_refused(client, issuer):
    started = client.get("/auth/login", follow_redirects=False)
    back = issuer.authorize(started.headers["location"]).replace("state=", "state=x")
    assert_problem(client.get(back, follow_redirects=False), 401)


def test_a_tampered_session_cookie_is_401(client, issuer):
    sign_in(client, issuer, ("admin",))
    session = client.cookies["ior_session"]
    client.cookies.clear()
    client.cookies.set(
        "ior_session", session[:-6] + ("A" if session[-6] != "A" else "B") + session[-5:]
    )
    assert_problem(client.get("/api/me"), 401)


def test_a_state_changing_cookie_request_without_the_csrf_token_is_403(client, issuer):
    sign_in(client, issuer, ("admin",))
    body = assert_problem(client.post("/api/dlq/audit/replay"), 403)
    assert body["type"] == "urn:ior:problem:csrf-rejected"


def test_a_state_changing_cookie_request_with_the_csrf_token_passes(client, issuer):
    sign_in(client, issuer, ("admin",))
    token = client.get("/api/me").json()["csrf_token"]
    response = client.post("/api/dlq/audit/replay", headers={"X-CSRF-Token": token})
    assert response.status_code == 200
