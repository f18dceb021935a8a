"""Steps several journeys share: what a user clicks to reach a service request and act on it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

CUSTOMER_REQUESTS = "/requests"
STAFF_QUEUE = "/staff/requests"


def go_by_nav(page: Page, href: str) -> None:
    """Clicks the navigation link to ``href``, opening its drop-down menu first if it sits in one."""
    link = page.locator(f"nav.navbar a[href='{href}']")
    menu = page.locator("nav.navbar li.dropdown", has=page.locator(f"a[href='{href}']"))
    if menu.count():
        page.wait_for_load_state("load")  # Bootstrap's script opens the menu: it must have run
        menu.locator(".dropdown-toggle").click()
        expect(link).to_be_visible()
    link.click()


def open_from_queue(page: Page, number: str, *, all_units: bool = False) -> None:
    """Staff: the request queue, filtered to ``number`` (in every unit's queue if asked), then its page."""
    go_by_nav(page, STAFF_QUEUE)
    search = page.locator("main form[role=search]")
    if all_units:
        search.locator("select[name=unit]").select_option("")
    search.locator("input[name=q]").fill(number)
    search.locator("button[type=submit]").click()
    page.locator(f"main table a:text-is('{number}')").click()
    expect(page.locator("h1")).to_contain_text(number)


def open_from_my_requests(page: Page, number: str) -> None:
    """Customer: their service-request list, then the request."""
    go_by_nav(page, CUSTOMER_REQUESTS)
    page.locator(f"main table a:text-is('{number}')").click()
    expect(page.locator("h1")).to_contain_text(number)


def submit(page: Page, action: str) -> None:
    """Submits the request page's form whose action ends with ``/action``."""
    page.locator(f"main form[action$='/{action}'] button[type=submit]").click()


def detail_value(page: Page, label: str) -> str:
    """The text next to ``label`` in a definition list of the request page."""
    term = page.locator("main dl dt").filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")).first
    return term.locator("xpath=following-sibling::dd[1]").inner_text().strip()


def request_number_from_heading(page: Page) -> str:
    """The request number at the start of the heading, e.g. ``SR-2026-000301 · 压缩机…``."""
    return page.locator("h1").inner_text().split("·")[0].strip()


def history_steps(page: Page) -> list[str]:
    """The label of each entry of the request's history, oldest first (e.g. ``Transferred``)."""
    entries = page.locator("#history-title + ol > li > div:first-child > span:first-child").all_inner_texts()
    return [entry.strip() for entry in entries]


def list_total(page: Page, texts) -> int:
    """The "N in total" under a paginated list (the rows on the page stop at the page size)."""
    pattern = re.escape(texts.zh("%(total)s in total")).replace(re.escape("%(total)s"), r"(\d+)")
    return int(re.search(pattern, page.locator("main").inner_text()).group(1))
