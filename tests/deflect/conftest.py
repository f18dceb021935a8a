"""Fixtures of the deflect tests: jieba with the domain dictionary, as the running portal has it."""

from __future__ import annotations

import pytest

from app.settings import PROJECT_ROOT


@pytest.fixture(scope="session", autouse=True)
def domain_dictionary(tmp_path_factory):
    from app.search.analysis import init_jieba, load_synonyms

    dict_dir = PROJECT_ROOT / "content" / "dict"
    synonyms = load_synonyms(dict_dir / "synonyms.txt")
    init_jieba(tmp_path_factory.mktemp("jieba"), dict_dir / "userdict.txt", synonyms.variants)
