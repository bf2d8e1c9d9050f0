"""What a test does in the browser: sign in with a role, open a page, wait for something,
save the page's screenshot and its times."""

from __future__ import annotations

import time
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as shown
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import SCREENSHOTS, WAIT_SECONDS, Served

# The browser's own account of a page load: the server's answer, and the page ready to use.
NAVIGATION_TIMES = """
const n = performance.getEntriesByType("navigation")[0];
return {server_ms: n.responseStart - n.requestStart, load_ms: n.loadEventEnd - n.startTime};
"""


def sign_in(browser: WebDriver, portal: Served, role: str) -> None:
    browser.delete_all_cookies()
    browser.get(f"{portal.url}/")
    WebDriverWait(browser, WAIT_SECONDS).until(shown.url_contains("/dev-issuer/authorize"))
    browser.find_element(By.CSS_SELECTOR, f'button[value="{role}"]').click()
    WebDriverWait(browser, WAIT_SECONDS).until(
        shown.text_to_be_present_in_element((By.CSS_SELECTOR, ".who .role"), role)
    )


def wait_for(browser: WebDriver, css: str, text: str = "") -> Any:
    located = (By.CSS_SELECTOR, css)
    if text:
        WebDriverWait(browser, WAIT_SECONDS).until(
            shown.text_to_be_present_in_element(located, text)
        )
    return WebDriverWait(browser, WAIT_SECONDS).until(shown.visibility_of_element_located(located))


def open_page(
    browser: WebDriver, portal: Served, path: str, timings: dict[str, dict[str, float]], name: str
) -> None:
    started = time.perf_counter()
    browser.get(f"{portal.url}{path}")
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda b: b.execute_script("return document.readyState") == "complete"
    )
    measured = browser.execute_script(NAVIGATION_TIMES)
    measured["wall_ms"] = (time.perf_counter() - started) * 1000
    timings[name] = {key: round(value, 1) for key, value in measured.items()}


def screenshot(browser: WebDriver, name: str) -> None:
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, max(800, min(int(height), 3000)))
    browser.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    browser.set_window_size(1280, 1000)
