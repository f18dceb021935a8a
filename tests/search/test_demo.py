"""The demo's month of searches: real searches by demo customers, spread over 30 days, loaded once."""

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import Role
from app.clock import utcnow
from app.extensions import db
from app.search import services
from app.search.demo import DEMO_QUERIES, _demo_searches
from app.search.models import Article, SearchLogEntry


def test_demo_searches_are_real_spread_over_a_month_and_loaded_once(kb, backend, make):
    customers = [make.user(Role.CUSTOMER) for _ in range(2)]
    said = []
    _demo_searches(said.append)
    entries = list(db.session.scalars(select(SearchLogEntry)))
    assert len(entries) >= 30 and said == [f"  search log: {len(entries)} searches over the last 30 days"]
    now = utcnow()
    assert all(now - timedelta(days=31) <= e.created_at <= now for e in entries)
    assert len({e.created_at.date() for e in entries}) >= 15
    assert {e.user_id for e in entries} <= {c.id for c in customers}
    assert {e.role for e in entries} == {"customer"}
    assert {e.query for e in entries} <= set(DEMO_QUERIES)
    slugs = set(db.session.scalars(select(Article.slug)))
    clicked = [e for e in entries if e.clicked_slug]
    assert clicked and all(e.clicked_slug in slugs and e.clicked_rank in (1, 2) for e in clicked)
    sample = entries[0]  # the count is what the search found
    again = services.search_articles(db.session, backend, customers[0], sample.query)
    assert sample.result_count == again.total

    _demo_searches(said.append)
    assert db.session.query(SearchLogEntry).count() == len(entries) and len(said) == 1
