"""The shop's knowledge base in the store: articles, their passages, and full-text search.

`KnowledgeBase.search(question)` ranks passages (sections of articles) with the
store's own engine: SQLite FTS5 with bm25 (Porter stemming), or PostgreSQL full-text
search with `websearch_to_tsquery` and `ts_rank_cd` over a weighted `tsvector` with a
GIN index. Given a sentence vector (`embed`, injected by the worker), each passage's
meaning match is added (`domain.knowledge.fused_scores`): customers' words are often
not the articles'. Passages scoring below the threshold are not returned: an empty
list means "no match". Articles are Markdown files (`<slug>.md`) in
`<data dir>/knowledge/`; `sync_from_dir` indexes them, `save`/`delete` change one
article in the store and its file, each with an audit event.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeAlias

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session, sessionmaker

from domain.knowledge import (
    FUSED_MIN_COVERAGE,
    FUSED_THRESHOLD,
    Article,
    InvalidArticle,
    Passage,
    answer_kind_fit,
    check_slug,
    coverage,
    fill_placeholders,
    fused_scores,
    parse_article,
    place_fit,
    question_groups,
)
from store.audit import append_event
from store.db import read_only
from store.models import KnowledgeArticleRow, KnowledgePassageRow, utcnow

#: The demo shop's articles, shipped with Trustdesk and copied into a new data dir.
DEFAULT_ARTICLES = Path(__file__).with_name("default_knowledge")

if TYPE_CHECKING:  # the web process edits articles and never loads numpy
    import numpy as np

#: A text's meaning as a unit vector (`brain.embedding.SentenceEmbedder.embed`).
Embed: TypeAlias = "Callable[[str], np.ndarray]"


class _PassageRow(NamedTuple):
    id: int
    slug: str
    title: str
    heading: str
    body: str


#: Without a sentence vector, below these scores a passage is no answer. The engines
#: score differently: SQLite's is bm25 negated (higher is better), PostgreSQL's is
#: `ts_rank_cd` with length normalisation. Chosen on the development questions
#: (docs/brain.md, "Knowledge base").
THRESHOLDS: Mapping[str, float] = {"sqlite": 1.7, "postgresql": 0.1}
#: Without a sentence vector, a passage must also hold at least this share of the
#: question's topic words.
MIN_COVERAGE = 0.5
#: Passages ranked before the thresholds pick: a lower one may cover the question better.
_CANDIDATES = 8

# Column weights of bm25: a word of the title or the section's heading counts more.
_SQLITE_SEARCH = text(
    "SELECT p.id, -bm25(knowledge_fts, 3.0, 3.0, 1.0) AS score "
    "FROM knowledge_fts JOIN knowledge_passages p ON p.id = knowledge_fts.rowid "
    "WHERE knowledge_fts MATCH :query ORDER BY score DESC, p.id LIMIT :limit"
)
_POSTGRES_SEARCH = text(
    "SELECT p.id, ts_rank_cd(p.search, q, 1) AS score "
    "FROM knowledge_passages p, websearch_to_tsquery('english', :query) q "
    "WHERE p.search @@ q ORDER BY score DESC, p.id LIMIT :limit"
)


def knowledge_dir(data_dir: Path) -> Path:
    return data_dir / "knowledge"


def install_default_articles(directory: Path) -> bool:
    """Copy the shipped articles into `directory` if it does not exist yet (first start).

    An existing directory is the admin's, edited or emptied on purpose: never touched.
    """
    if directory.exists():
        return False
    directory.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(DEFAULT_ARTICLES, directory)
    return True


@dataclass(frozen=True)
class SyncReport:
    indexed: int
    removed: int
    passages: int


@dataclass(frozen=True)
class StoredArticle:
    slug: str
    title: str
    body: str
    updated_by: str
    updated_at: str


class KnowledgeBase:
    """Articles and full-text search over their passages, on SQLite or PostgreSQL."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        placeholders: Mapping[str, str],
        directory: Path | None = None,
        threshold: float | None = None,
        embed: Embed | None = None,
    ) -> None:
        self.sessions = sessions
        self.placeholders = dict(placeholders)
        self.directory = directory
        self._threshold = threshold
        self._embed = embed
        # A passage's two vectors (its heading; title, heading and text), by its words.
        self._vectors: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}

    # --- search --------------------------------------------------------------------

    @property
    def min_coverage(self) -> float:
        """The share of the question's topic words an answer must hold: less with a
        sentence vector, whose meaning match answers for the rest."""
        return FUSED_MIN_COVERAGE if self._embed is not None else MIN_COVERAGE

    def threshold(self, session: Session) -> float:
        if self._threshold is not None:
            return self._threshold
        if self._embed is not None:
            return FUSED_THRESHOLD
        return THRESHOLDS.get(session.get_bind().dialect.name, 0.0)

    def search(self, question: str, limit: int = 3) -> list[Passage]:
        """The best passages for `question`, best first; none below the thresholds."""
        with read_only(self.sessions) as session:
            floor = self.threshold(session)
            ranked = self._rank(session, question, limit + _CANDIDATES)
        return [p for p in ranked if p.score >= floor and p.coverage >= self.min_coverage][:limit]

    def rank(self, question: str, limit: int = 3) -> list[Passage]:
        """The ranking without the thresholds: for measuring and choosing them."""
        with read_only(self.sessions) as session:
            return self._rank(session, question, limit)

    def _rank(self, session: Session, question: str, limit: int) -> list[Passage]:
        rows = [
            _PassageRow(*row)
            for row in session.execute(
                select(
                    KnowledgePassageRow.id,
                    KnowledgePassageRow.slug,
                    KnowledgePassageRow.title,
                    KnowledgePassageRow.heading,
                    KnowledgePassageRow.body,
                ).order_by(KnowledgePassageRow.id)
            )
        ]
        groups = question_groups(question, _vocabulary(rows))
        lexical = _lexical(session, groups, len(rows))
        if self._embed is None:
            by_id = {r.id: r for r in rows}
            scored = [(by_id[i], score) for i, score in lexical.items() if i in by_id][:limit]
        else:
            meaning = self._meaning(question, rows)
            fused = fused_scores(meaning, [lexical.get(r.id, 0.0) for r in rows])
            # A question naming a place is answered from the passage about that place, and
            # "how long …?" from one stating a duration; these order the passages but never
            # make one an answer (the score is kept).
            ranked = [
                score + place_fit(question, p) + answer_kind_fit(question, p)
                for p, score in ((_passage(r, s), s) for r, s in zip(rows, fused, strict=True))
            ]
            order = sorted(range(len(rows)), key=lambda i: (-ranked[i], rows[i].id))[:limit]
            scored = [(rows[i], fused[i]) for i in order]
        found = [_passage(r, score) for r, score in scored]
        return [replace(p, coverage=coverage(groups, p)) for p in found]

    def _meaning(self, question: str, rows: Sequence[_PassageRow]) -> list[float]:
        """How close each passage's meaning is to the question's: the better of its
        heading's and its whole text's cosine with the question's vector."""
        assert self._embed is not None
        wanted = self._embed(question)
        if len(self._vectors) > 4 * len(rows) + 64:  # articles were edited: start afresh
            self._vectors.clear()
        found = []
        for r in rows:
            key = hashlib.sha256(f"{r.title}\0{r.heading}\0{r.body}".encode()).digest()
            vectors = self._vectors.get(key)
            if vectors is None:
                vectors = (self._embed(r.heading), self._embed(f"{r.title}. {r.heading}. {r.body}"))
                self._vectors[key] = vectors
            found.append(max(float(vectors[0] @ wanted), float(vectors[1] @ wanted)))
        return found

    # --- articles ------------------------------------------------------------------

    def list_articles(self) -> list[StoredArticle]:
        with read_only(self.sessions) as session:
            rows = session.scalars(select(KnowledgeArticleRow).order_by(KnowledgeArticleRow.title))
            return [_stored(r) for r in rows]

    def get(self, slug: str) -> StoredArticle | None:
        with read_only(self.sessions) as session:
            row = session.get(KnowledgeArticleRow, slug)
            return _stored(row) if row else None

    def render(self, article: Article) -> list[tuple[str, str]]:
        """The article's sections as customers read them: (heading, text), placeholders filled."""
        return [
            (s.heading, fill_placeholders(s.body, self.placeholders)) for s in article.sections()
        ]

    def save(self, article: Article, actor: str, *, create: bool = False) -> None:
        """Write one article, re-index it, record who did it; and its file, when there is one.

        `create` refuses to overwrite an article with the same slug.
        """
        sections = self.render(article)  # an unknown placeholder fails before anything is written
        with self.sessions() as session:
            existing = session.get(KnowledgeArticleRow, article.slug)
            if create and existing is not None:
                raise InvalidArticle(f"an article with the slug {article.slug!r} already exists")
            self._write(session, article, sections, actor, existing)
            append_event(
                session,
                kind="knowledge.article_created" if existing is None else "knowledge.article_saved",
                actor=actor,
                payload={"slug": article.slug, "title": article.title},
            )
            session.commit()
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / f"{article.slug}.md"
            temporary = path.with_suffix(".md.tmp")
            temporary.write_text(article.to_markdown(), encoding="utf-8")
            temporary.replace(path)

    def delete(self, slug: str, actor: str) -> bool:
        """Remove one article from the index and its file; False if there was none."""
        check_slug(slug)
        with self.sessions() as session:
            row = session.get(KnowledgeArticleRow, slug)
            if row is None:
                return False
            session.delete(row)
            append_event(
                session,
                kind="knowledge.article_deleted",
                actor=actor,
                payload={"slug": slug, "title": row.title},
            )
            session.commit()
        if self.directory is not None:
            (self.directory / f"{slug}.md").unlink(missing_ok=True)
        return True

    def sync_from_dir(self, directory: Path | None = None, actor: str = "system") -> SyncReport:
        """Index every `<slug>.md` of the directory; drop articles whose file is gone.

        All files are parsed (and their placeholders checked) before anything is
        written, so one bad file leaves the index as it was.
        """
        directory = directory or self.directory
        if directory is None:
            raise InvalidArticle("no knowledge directory to sync from")
        articles = [
            parse_article(path.stem, path.read_text(encoding="utf-8"))
            for path in sorted(directory.glob("*.md"))
        ]
        rendered = [(a, self.render(a)) for a in articles]
        passages = 0
        with self.sessions() as session:
            wanted = {a.slug for a in articles}
            stale = [
                s for s in session.scalars(select(KnowledgeArticleRow.slug)) if s not in wanted
            ]
            if stale:
                session.execute(
                    delete(KnowledgePassageRow).where(KnowledgePassageRow.slug.in_(stale))
                )
                session.execute(
                    delete(KnowledgeArticleRow).where(KnowledgeArticleRow.slug.in_(stale))
                )
            for article, sections in rendered:
                existing = session.get(KnowledgeArticleRow, article.slug)
                self._write(session, article, sections, actor, existing)
                passages += len(sections)
            append_event(
                session,
                kind="knowledge.synced",
                actor=actor,
                payload={"directory": str(directory), "indexed": len(articles), "removed": stale},
            )
            session.commit()
        return SyncReport(indexed=len(articles), removed=len(stale), passages=passages)

    @staticmethod
    def _write(
        session: Session,
        article: Article,
        sections: list[tuple[str, str]],
        actor: str,
        existing: KnowledgeArticleRow | None,
    ) -> None:
        row = existing or KnowledgeArticleRow(slug=article.slug)
        row.title = article.title
        row.body = article.body
        row.updated_at = utcnow()
        row.updated_by = actor
        if existing is None:
            session.add(row)
        else:
            row.passages.clear()  # deleted rows: the index's triggers drop them too
            session.flush()
        row.passages.extend(
            KnowledgePassageRow(
                slug=article.slug, position=i, title=article.title, heading=heading, body=body
            )
            for i, (heading, body) in enumerate(sections)
        )
        session.flush()


def _passage(row: _PassageRow, score: float) -> Passage:
    return Passage(slug=row.slug, title=row.title, heading=row.heading, text=row.body, score=score)


def _vocabulary(rows: Sequence[_PassageRow]) -> set[str]:
    """Every word the passages use, to correct a question's typos against."""
    words: set[str] = set()
    for r in rows:
        for part in (r.title, r.heading, r.body):
            words.update(w.strip(".,;:!?()\"'“”").lower() for w in part.split())
    return {w for w in words if w.isalpha()}


def _stored(row: KnowledgeArticleRow) -> StoredArticle:
    return StoredArticle(
        slug=row.slug,
        title=row.title,
        body=row.body,
        updated_by=row.updated_by,
        updated_at=row.updated_at.isoformat(),
    )


def _lexical(session: Session, groups: list[list[str]], limit: int) -> dict[int, float]:
    """The engine's score of each passage holding any of the question's words, best first."""
    terms = list(dict.fromkeys(t for g in groups for t in g))
    if not terms or limit <= 0:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        # websearch syntax: words joined by "or" match any of them.
        query, statement = " or ".join(terms), _POSTGRES_SEARCH
    else:
        query = " OR ".join('"' + t.replace('"', "") + '"' for t in terms)
        statement = _SQLITE_SEARCH
    rows = session.execute(statement, {"query": query, "limit": limit}).all()
    return {int(r.id): float(r.score) for r in rows}
