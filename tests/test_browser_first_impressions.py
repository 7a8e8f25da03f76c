"""What a first-time visitor sees in the browser (#18): no developer chrome, no English
"Page not found" dialog on any URL the app links to, the map framed and readable offline."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import AppServer, copy_db

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(built_db, tmp_path_factory):
    app = AppServer(copy_db(built_db, tmp_path_factory.mktemp("first_impressions")))
    yield app
    app.stop()


def open_page(page, url):
    page.goto(url)
    expect(page.locator("h1").first).to_be_visible(timeout=60_000)


def test_every_page_url_the_app_links_to_opens_without_a_dialog(page, server):
    open_page(page, server.url + "/")
    nav_links = page.locator('[data-testid="stSidebarNav"] a')
    import app

    expect(nav_links).to_have_count(len(app.PAGE_SPECS))      # every page of the navigation
    hrefs = [nav_links.nth(i).get_attribute("href") for i in range(nav_links.count())]
    paths = {re.sub(r"^https?://[^/]+", "", href) for href in hrefs}
    # The default page is linked as "/", and its own name must work as well (shared by hand).
    paths |= {"/", "/overzicht", "/kaart?gemeente=GM0579"}
    for path in sorted(paths):
        open_page(page, server.url + path)
        expect(page.get_by_text("Page not found")).to_have_count(0)
        expect(page.locator('[role="dialog"]')).to_have_count(0)


def test_no_deploy_button(page, server):
    open_page(page, server.url + "/kaart")
    expect(page.get_by_role("button", name="Deploy")).to_have_count(0)
    expect(page.get_by_test_id("stAppDeployButton")).to_have_count(0)
