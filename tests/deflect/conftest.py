"""Fixtures of the deflect tests: jieba with the domain dictionary, as the running portal has it."""

from __future__ import annotations

import pytest

from app.settings import PROJECT_ROOT


@pytest.fixture(scope="session", autouse=True)
def domain_dictionary(tmp_path_factory):
    from app.search.analysis import init_analyser

    init_analyser(PROJECT_ROOT / "content" / "dict", tmp_path_factory.mktemp("jieba"))


# A slice of the shipped knowledge base: enough to rank among, quick to import for every test.
SMALL_KB = (
    "solutions/start-fail-hum-run-capacitor.md", "solutions/start-fail-locked-rotor-seized.md",
    "solutions/start-fail-low-voltage.md", "solutions/restart-fail-pressure-unbalanced.md",
    "solutions/refrigerant-leak-low-charge.md", "solutions/inv-e5-overcurrent-asd-ac-inverter.md",
    "solutions/overload-trip-short-cycling.md", "solutions/noise-rubber-grommet-vibration.md",
    "solutions/terminal-loose-burnt.md", "documents/inv-drive-fault-code-table.md",
    "documents/rma-procedure.md",
)


def _load_kb(app, folders):
    from app.deflect.runtime import get_engine
    from app.extensions import db
    from app.search import services

    # An index must exist before the import: the search domain's after-commit indexing of a
    # missing index tries to rebuild it from a session that has just committed (see docs/deflect.md).
    services.get_backend(app).ensure()
    for folder in folders:
        report = services.import_articles(db.session, folder)
        assert not report.rejected, report.rejected
    db.session.commit()
    engine = get_engine(app)
    engine.store.refit()
    return engine


@pytest.fixture
def kb(app, tmp_path):
    """Eleven shipped articles imported and indexed, and the suggestion model fitted over them."""
    import shutil

    folder = tmp_path / "kb"
    folder.mkdir()
    for name in SMALL_KB:
        shutil.copy(PROJECT_ROOT / "content" / name, folder / name.split("/")[1])
    return _load_kb(app, [folder])


@pytest.fixture
def full_kb(app):
    """The whole shipped knowledge base (slow: for the quality regression test)."""
    return _load_kb(app, [PROJECT_ROOT / "content" / "solutions", PROJECT_ROOT / "content" / "documents"])
