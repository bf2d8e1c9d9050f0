"""The pages' edges without a browser: no session goes to sign-in and comes back, a refusal
or a missing thing is a page, a bad filter is said on the page, and the API keeps answering
with problem+json under the same app."""

import pytest

from services.portal.web.assets import VERSION
from tests.portal_app import bearer

pytestmark = pytest.mark.integration


def test_a_page_without_a_session_sends_the_browser_to_sign_in_and_back(client):
    answer = client.get("/customs-lines?po=4500018433", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/auth/login?return_to=/customs-lines%3Fpo%3D4500018433"


def test_the_api_still_answers_problem_json_without_a_token(client):
    answer = client.get("/api/calculations")
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"


def test_the_pages_reach_the_api_under_web_api_with_the_same_checks(client, issuer):
    assert client.get("/web/api/calculations").status_code == 401
    mine = client.get("/web/api/me", headers=bearer(issuer, "viewer"))
    assert (
        mine.status_code == 200
        and mine.json() == client.get("/api/me", headers=bearer(issuer, "viewer")).json()
    )
    replay = client.post("/web/api/dlq/comparison/replay", headers=bearer(issuer, "operator"))
    assert replay.status_code == 403
    paths = client.get("/api/openapi.json", headers=bearer(issuer, "viewer")).json()["paths"]
    assert not [path for path in paths if path.startswith("/web")]


def test_a_viewer_opening_the_upload_page_gets_a_403_page(client, issuer):
    answer = client.get("/upload", headers=bearer(issuer, "viewer"))
    assert answer.status_code == 403 and answer.headers["content-type"].startswith("text/html")
    assert "upload is not allowed for your roles (viewer)" in answer.text


def test_an_unknown_calculation_is_a_404_page(client, issuer):
    answer = client.get("/calculations/CALC-NOPE", headers=bearer(issuer, "viewer"))
    assert answer.status_code == 404 and "no calculation CALC-NOPE in the portal" in answer.text


def test_a_date_that_is_not_one_is_said_on_the_page(client, issuer):
    answer = client.get(
        "/customs-lines?entry_from=01/04/2026&entry_to=2026-04-30", headers=bearer(issuer, "viewer")
    )
    assert answer.status_code == 200
    assert "entry_from must be a date like 2026-04-05, not &#39;01/04/2026&#39;" in answer.text


def test_an_operator_sees_upload_in_the_navigation_and_a_viewer_does_not(client, issuer):
    assert 'href="/upload"' in client.get("/", headers=bearer(issuer, "operator")).text
    assert 'href="/upload"' not in client.get("/", headers=bearer(issuer, "viewer")).text


def test_static_files_are_served_by_the_app_under_their_content_version_for_a_year(client, issuer):
    page = client.get("/", headers=bearer(issuer, "viewer")).text
    script = f"/static/{VERSION}/portal.js"
    assert f'src="{script}"' in page and f'href="/static/{VERSION}/portal.css"' in page
    answer = client.get(script)
    assert answer.status_code == 200 and "X-CSRF-Token" in answer.text
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    # A page of the previous deploy still gets the files; a missing file is a 404, not cached.
    assert client.get("/static/0123456789ab/portal.css").status_code == 200
    missing = client.get(f"/static/{VERSION}/nothing.js")
    assert missing.status_code == 404 and "cache-control" not in missing.headers


def test_today_reloads_itself_every_minute_and_other_pages_do_not(client, issuer):
    refresh = '<meta http-equiv="refresh" content="60">'
    assert refresh in client.get("/", headers=bearer(issuer, "viewer")).text
    assert refresh not in client.get("/quality", headers=bearer(issuer, "viewer")).text
