"""Every string of the service-request's pages, labels and alerts has a Chinese translation."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.settings import PROJECT_ROOT

TICKETS = PROJECT_ROOT / "app" / "tickets"
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.do"}}


def test_every_tickets_string_is_translated_to_chinese():
    keywords = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "N_": None}
    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(TICKETS), METHOD_MAP, OPTIONS, keywords=keywords
        )
    }
    found = {m if isinstance(m, str) else m[0] for m in found}
    assert len(found) > 100
    with open(TICKETS / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f, locale="zh_CN")
    untranslated = sorted(m for m in found if not (catalog.get(m) and catalog.get(m).string))
    assert untranslated == []
