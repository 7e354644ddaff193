"""The knowledge base in the store, on SQLite (FTS5, bm25) and PostgreSQL (tsvector, ts_rank)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from brain.embedding import shared_embedder
from domain.knowledge import InvalidArticle, make_article
from domain.policy import load_policy, policy_placeholders
from store.audit import verify_chain
from store.knowledge import DEFAULT_ARTICLES, KnowledgeBase, install_default_articles
from store.models import AuditEventRow


def _kb(sessions: sessionmaker[Session], directory: Path, *, vector: bool) -> KnowledgeBase:
    assert install_default_articles(directory)
    embed = shared_embedder().embed if vector else None
    base = KnowledgeBase(sessions, policy_placeholders(load_policy()), directory, embed=embed)
    base.sync_from_dir()
    return base


@pytest.fixture(params=["full-text", "full-text and sentence vector"])
def kb(
    request: pytest.FixtureRequest, sessions: sessionmaker[Session], tmp_path: Path
) -> KnowledgeBase:
    return _kb(sessions, tmp_path / "knowledge", vector=request.param != "full-text")


@pytest.fixture
def hybrid(sessions: sessionmaker[Session], tmp_path: Path) -> KnowledgeBase:
    """Searched as the worker searches: full-text and the sentence vector."""
    return _kb(sessions, tmp_path / "knowledge", vector=True)


@pytest.mark.parametrize(
    "question, slug",
    [
        ("How many days do I have to return shoes?", "returns"),
        ("do you ship to Canada?", "shipping"),
        ("how long till my refund shows on my card", "refunds"),
        ("I forgot my password", "account"),
        ("can i pay with paypal", "payment"),
    ],
)
def test_a_question_finds_its_article_with_a_score(
    kb: KnowledgeBase, question: str, slug: str
) -> None:
    passages = kb.search(question)
    assert passages, question
    assert passages[0].slug == slug
    assert passages[0].title and passages[0].text
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


@pytest.mark.parametrize(
    "question, slug",
    [
        ("is my credit card billed straight away", "payment"),
        ("is there a phone number i can ring", "contact"),
    ],
)
def test_the_meaning_finds_an_article_the_words_do_not(
    hybrid: KnowledgeBase, sessions: sessionmaker[Session], tmp_path: Path, question: str, slug: str
) -> None:
    """Customers' words are often not the articles': the sentence vector bridges them."""
    [best, *_] = hybrid.search(question)
    assert best.slug == slug
    words_only = _kb(sessions, tmp_path / "words-only", vector=False)
    assert all(p.slug != slug for p in words_only.search(question)[:1])


@pytest.mark.parametrize(
    "question",
    ["tell me a joke", "what's the weather like in Boston", "write my history essay for me"],
)
def test_the_meaning_does_not_make_an_unrelated_question_a_match(
    hybrid: KnowledgeBase, question: str
) -> None:
    assert hybrid.search(question) == []


def test_placeholders_are_indexed_filled(kb: KnowledgeBase) -> None:
    [best, *_] = kb.search("how many days to return")
    assert "30 days" in best.text and "{{" not in best.text


def test_nothing_above_the_threshold_is_no_match(kb: KnowledgeBase) -> None:
    assert kb.search("recommend a pizza place nearby") == []
    assert kb.search("???") == []
    assert kb.search("zzzz qqqq") == []


def test_the_engine_alone_ranks_nothing_without_a_word_of_the_articles(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    assert _kb(sessions, tmp_path / "knowledge", vector=False).rank("zzzz qqqq") == []


def test_a_saved_article_is_searchable_at_once_and_its_file_written(
    kb: KnowledgeBase, sessions: sessionmaker[Session]
) -> None:
    assert all(p.slug != "gift-wrapping" for p in kb.search("gift wrapping"))
    article = make_article(
        "gift-wrapping",
        "Gift wrapping",
        "## Do you offer gift wrapping?\nYes, gift wrapping costs $4.",
    )
    kb.save(article, "admin", create=True)
    [best, *_] = kb.search("do you do gift wrapping")
    assert (best.slug, best.heading) == ("gift-wrapping", "Do you offer gift wrapping?")
    assert kb.directory is not None
    assert "Yes, gift wrapping costs $4." in (kb.directory / "gift-wrapping.md").read_text()
    with pytest.raises(InvalidArticle, match="already exists"):
        kb.save(article, "admin", create=True)

    kb.save(make_article("gift-wrapping", "Gift wrapping", "We no longer wrap presents."), "admin")
    [best, *_] = kb.search("wrap presents")
    assert best.text == "We no longer wrap presents."
    assert all("costs $4" not in p.text for p in kb.search("gift wrapping costs"))

    assert kb.delete("gift-wrapping", "admin")
    assert not kb.delete("gift-wrapping", "admin")
    assert all(p.slug != "gift-wrapping" for p in kb.search("wrap presents gift wrapping"))
    assert not (kb.directory / "gift-wrapping.md").exists()
    with sessions() as session:
        kinds = session.scalars(select(AuditEventRow.kind).order_by(AuditEventRow.seq)).all()
        assert kinds == [
            "knowledge.synced",
            "knowledge.article_created",
            "knowledge.article_saved",
            "knowledge.article_deleted",
        ]
        assert verify_chain(session).ok


def test_an_unknown_placeholder_is_refused_before_anything_is_written(kb: KnowledgeBase) -> None:
    with pytest.raises(InvalidArticle, match="unknown placeholder"):
        kb.save(make_article("bad", "Bad", "{{ refund_days }} days"), "admin")
    assert kb.get("bad") is None


def test_sync_follows_the_directory(kb: KnowledgeBase, tmp_path: Path) -> None:
    assert kb.directory is not None
    (kb.directory / "warranty.md").unlink()
    (kb.directory / "hours.md").write_text("# Holiday hours\nClosed on December 25th.\n")
    report = kb.sync_from_dir()
    assert report.removed == 1
    assert {a.slug for a in kb.list_articles()} == {p.stem for p in kb.directory.glob("*.md")}
    [best, *_] = kb.search("are you closed on christmas december 25th")
    assert best.slug == "hours"
    # One bad file: nothing changes.
    (kb.directory / "broken.md").write_text("no title")
    before = kb.list_articles()
    with pytest.raises(InvalidArticle):
        kb.sync_from_dir()
    assert kb.list_articles() == before


def test_defaults_are_copied_on_first_start_only(tmp_path: Path) -> None:
    directory = tmp_path / "knowledge"
    assert install_default_articles(directory)
    (directory / "returns.md").write_text("# Returns\nOur own words.\n")
    assert not install_default_articles(directory)
    assert (directory / "returns.md").read_text() == "# Returns\nOur own words.\n"
    assert len(list(directory.glob("*.md"))) == len(list(DEFAULT_ARTICLES.glob("*.md")))
    shutil.rmtree(directory)
