"""The lead-entry page in a real headless Chromium (the system's), driven by Playwright:
typing a known person letter by letter brings up the warning with the candidate and why it
matches; "merge" adds the lead to the index; a new person brings no warning.

Skipped when Playwright or a Chromium executable is missing (``make test`` installs both
where it can); Playwright's own browser download is never used.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.serve.conftest import StandInIndex, serving

pytestmark = pytest.mark.browser

TIMEOUT_MS = 10_000


def _chromium() -> str:
    for name in (os.environ.get("LEADLINK_CHROMIUM"), "chromium", "chromium-browser"):
        found = name and shutil.which(name)
        if found:
            return found
    pytest.skip("no chromium executable (apt-get install chromium, or set LEADLINK_CHROMIUM)")


@pytest.fixture(scope="module")
def browser():
    pytest.importorskip("fastapi")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    executable = _chromium()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


def _type(page, field: str, text: str) -> None:
    page.locator(f"#{field}").press_sequentially(text, delay=15)


def _checked(page) -> None:
    """Wait until the page has shown the answer to what was typed last."""
    page.wait_for_selector("#lead[data-state=checked]", state="attached")


def test_a_duplicate_typed_in_is_warned_of_and_merged(page):
    from leadlink.serve import create_app

    index = StandInIndex()
    with serving(create_app(index)) as url:
        page.goto(url + "/")
        _type(page, "name", "張偉")
        _type(page, "phone", "138 0013 8000")
        _checked(page)
        warning = page.locator("#warning")
        warning.wait_for(state="visible")
        assert "This person may already exist" in warning.inner_text()
        candidate = page.locator(".candidate").first
        assert candidate.get_attribute("data-id") == "L1"
        assert "张伟" in candidate.locator(".golden").inner_text()
        assert "99%" in candidate.locator(".probability").inner_text()
        assert "phone" in candidate.locator(".why").inner_text()

        candidate.locator("button.open").click()
        page.locator("#details").wait_for(state="visible")
        assert "n_leads: 1" in page.locator("#details").inner_text()

        candidate.locator("button.merge").click()
        result = page.locator("#result")
        result.wait_for(state="visible")
        added = result.get_attribute("data-id")
        assert added in index
        assert result.get_attribute("data-cluster") == index.cluster["L1"]
        assert index.cluster[added] == index.cluster["L1"]
        assert len(index) == 3
        assert warning.is_hidden()


def test_a_new_person_brings_no_warning_and_is_created(page):
    from leadlink.serve import create_app

    index = StandInIndex()
    with serving(create_app(index)) as url:
        page.goto(url + "/")
        _type(page, "name", "Zelda Quartermaine")
        _type(page, "phone", "+44 20 7946 0958")
        _checked(page)
        assert page.locator("#warning").is_hidden()
        assert index.calls >= 1
        page.locator("#save").click()
        page.locator("#result").wait_for(state="visible")
        assert len(index) == 3


def test_the_labels_follow_the_toggle(page):
    from leadlink.serve import create_app

    with serving(create_app(StandInIndex())) as url:
        page.goto(url + "/")
        page.locator("#language").click()
        assert page.locator("label[for=name]").inner_text() == "姓名"
