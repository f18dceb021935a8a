"""Journey 1: a customer signs in, reads the home page (account, latest requests, alerts), searches the
knowledge base in Chinese, narrows the results to a product series, opens an article and votes it helpful."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CUSTOMER = "wang.jianguo@c-east-01.example.com"  # C-EAST-01
ACCOUNT_NAME = "宁波海岚空调有限公司"
QUERY = "压缩机启动不了 嗡嗡响"
SERIES = "SH"
SERIES_MODELS = re.compile(r"\bSH[A-Z0-9]*\b")


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def test_journey1_search_filter_read_vote(journey, texts):
    page = journey.new_page(CUSTOMER)

    # The home page: the account, the latest requests, the alerts.
    expect(page.locator("#help-title")).to_have_text(texts.zh("How can we help you?"))
    account = page.locator("section[aria-labelledby=account-title]")
    expect(account).to_contain_text(ACCOUNT_NAME)
    expect(account).to_contain_text("C-EAST-01")
    latest = page.locator("section[aria-labelledby=my-requests] .list-group-item")
    assert 1 <= latest.count() <= 3, "the demo account has requests; the home page shows the latest three"
    expect(latest.first.locator("a")).to_have_attribute("href", re.compile(r"^/requests/SR-"))
    alerts = page.locator("section[aria-labelledby=alerts-title]")
    expect(alerts.locator(".alert").first).to_be_visible()
    journey.shot(page, "home")

    # A question in Chinese from the home page's search box.
    page.locator("main form[role=search] input[name=q]").fill(QUERY)
    page.locator("main form[role=search] button[type=submit]").click()
    expect(page.locator("#kb-q")).to_have_value(QUERY)
    results = page.locator("main ol.kb-results > li")
    expect(results.first).to_be_visible()
    titles = results.locator("a.fw-semibold").all_inner_texts()
    assert any("启动" in title for title in titles), titles
    total = _numbers(page.locator("main section[aria-label] > p.text-muted").first.inner_text())[0]
    journey.shot(page, "search-results")

    # Narrow to one product series: the count is the facet's, every hit is about that series.
    facet = page.locator("aside li", has=page.locator(f"a:text-is('{SERIES}')"))
    facet_count = _numbers(facet.locator("span.text-muted").inner_text())[0]
    assert 0 < facet_count < total, (facet_count, total)
    facet.locator("a").click()
    expect(page).to_have_url(re.compile(rf"[?&]product={SERIES}(&|$)"))
    expect(page.locator("aside li", has=page.locator(f"a:text-is('{SERIES}')"))).to_contain_text("✕")
    expect(page.locator("main section[aria-label] > p.text-muted").first).to_contain_text(str(facet_count))
    journey.shot(page, "search-filtered-by-series")

    # The first hit: the article page, about that series.
    first = page.locator("main ol.kb-results > li a.fw-semibold").first
    title = first.inner_text().strip()
    first.click()
    expect(page.locator("article h1")).to_have_text(title)
    meta = page.locator("article h1 + p").inner_text()
    assert SERIES in meta.split() or SERIES_MODELS.search(meta) or f"{SERIES}," in meta, meta
    journey.shot(page, "article")

    # "Was this helpful?" -> yes: thanked, the count goes up by one, the vote is remembered.
    helpful = page.locator("section[aria-labelledby=helpful-title]")
    yes_before, no_before = _numbers(helpful.locator("p.small.text-muted").inner_text())[:2]
    helpful.locator("input[type=submit][name=yes], button[name=yes]").click()
    expect(page.locator("main .alert-success")).to_have_text(texts.zh("Thank you for your feedback."))
    expect(helpful.locator("p.small.text-muted")).to_have_text(
        texts.zh("%(yes)s found this helpful, %(no)s did not.", yes=yes_before + 1, no=no_before))
    expect(helpful).to_contain_text(texts.zh("Your vote: %(vote)s. You may change it.", vote=texts.zh("Yes")))
    journey.shot(page, "voted-helpful")
