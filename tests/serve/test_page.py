"""The lead-entry page in a real headless Chromium (the system's), driven by Playwright,
over a real LeadIndex: typing a known person letter by letter brings up the warning with
the candidate and why it matches; "merge" adds the lead to the index, in the candidate's
cluster; a new person brings no warning.

Skipped when Playwright or a Chromium executable is missing (``make test`` installs both
where it can); Playwright's own browser download is never used.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.serve.conftest import NEW_PERSON, duplicate_of, serving

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
def page(browser, real_index):
    from leadlink.serve import create_app

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    with serving(create_app(real_index)) as url:
        page.goto(url + "/")
        yield page
    context.close()


def _type(page, record: dict[str, str]) -> None:
    """Type each field letter by letter, then wait until the page has shown the answer to
    the whole text."""
    for field, text in record.items():
        page.locator(f"#{field}").press_sequentially(text, delay=15)
    page.wait_for_selector("#lead[data-state=checked]", state="attached")


def test_a_duplicate_typed_in_is_warned_of_and_merged(page, real_index, dedupe_result):
    lead_id, typed = duplicate_of(dedupe_result[0])
    cluster = real_index.cluster_of(lead_id)
    before = len(real_index)
    _type(page, typed)
    warning = page.locator("#warning")
    warning.wait_for(state="visible")
    assert "This person may already exist" in warning.inner_text()
    candidate = page.locator(".candidate").first
    assert candidate.get_attribute("data-cluster") == cluster
    assert typed["name"] in candidate.locator(".golden").inner_text()
    assert "same person" in candidate.locator(".probability").inner_text()
    reasons = candidate.locator(".why li")
    assert {"phone", "name"} <= {
        reasons.nth(i).get_attribute("data-role") for i in range(reasons.count())
    }
    assert "Phone: " in candidate.locator(".why").inner_text()

    candidate.locator("button.open").click()
    page.locator("#details").wait_for(state="visible")
    assert f"cluster_id: {cluster}" in page.locator("#details").inner_text()

    candidate.locator("button.merge").click()
    result = page.locator("#result")
    result.wait_for(state="visible")
    added = result.get_attribute("data-id")
    assert added in real_index and len(real_index) == before + 1
    assert real_index.cluster_of(added) == cluster
    assert result.get_attribute("data-cluster") == cluster
    assert warning.is_hidden()


def test_a_new_person_brings_no_warning_and_is_created(page, real_index):
    before = len(real_index)
    _type(page, NEW_PERSON)
    assert page.locator("#warning").is_hidden()
    assert page.locator("#error").is_hidden()
    page.locator("#save").click()
    page.locator("#result").wait_for(state="visible")
    assert len(real_index) == before + 1


def test_the_labels_follow_the_toggle(page):
    page.locator("#language").click()
    assert page.locator("label[for=name]").inner_text() == "姓名"
    assert page.locator("#save").inner_text() == "添加线索"
