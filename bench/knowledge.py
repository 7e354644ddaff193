"""`trustdesk knowledge eval`: how well the knowledge base finds the right article.

Questions (JSON lines: `question`, `expected`: a list of acceptable article slugs, or
null when no article answers it; optionally `section`: the heading of the passage that
answers it best) are searched in a scratch store indexed from the shipped articles,
with the sentence vector as the worker searches (`--lexical`: the full-text engine
alone). Reported: top-1 accuracy (the best passage above the threshold belongs to an
expected article), section accuracy (of those with a labelled section, the answer is
that very passage), no-match precision (of the questions answered "no match", how many
really have no article) and recall (of the questions with no article, how many were
answered "no match"). `--sweep` shows the figures at other thresholds. The held-out
questions (`heldout`: written before the full-text search existed; `fresh`: written
before the sentence vector was added to it) are measured once; tune on the development
ones.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from brain.embedding import shared_embedder
from domain.knowledge import Passage
from domain.policy import Policy, policy_placeholders
from store.db import make_engine, migrate, session_factory
from store.knowledge import DEFAULT_ARTICLES, KnowledgeBase

#: As many passages as `KnowledgeBase.search` weighs for its first answer.
CANDIDATES = 9

QUESTIONS = {
    "heldout": Path(__file__).with_name("knowledge_heldout.jsonl"),
    "fresh": Path(__file__).with_name("knowledge_heldout_fresh.jsonl"),
    "dev": Path(__file__).with_name("knowledge_dev.jsonl"),
}


@dataclass(frozen=True)
class Question:
    text: str
    expected: tuple[str, ...] | None
    section: str | None = None


@dataclass(frozen=True)
class Scores:
    threshold: float
    questions: int
    answerable: int
    top1_correct: int
    no_match_said: int
    no_match_right: int
    unanswerable: int
    misses: tuple[str, ...]
    #: Questions with a labelled section whose answer came from their article, and of
    #: those, the ones answered from that very section.
    sectioned: int = 0
    section_correct: int = 0

    @property
    def top1_accuracy(self) -> float:
        return self.top1_correct / self.answerable if self.answerable else 0.0

    @property
    def section_accuracy(self) -> float:
        return self.section_correct / self.sectioned if self.sectioned else 0.0

    @property
    def no_match_precision(self) -> float:
        return self.no_match_right / self.no_match_said if self.no_match_said else 1.0

    @property
    def no_match_recall(self) -> float:
        return self.no_match_right / self.unanswerable if self.unanswerable else 1.0

    @property
    def overall(self) -> float:
        """Every question right: the expected article first, or no match when none."""
        right = self.top1_correct + self.no_match_right
        return right / self.questions if self.questions else 0.0


def load_questions(path: Path) -> list[Question]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            expected = row["expected"]
            found.append(
                Question(
                    row["question"], tuple(expected) if expected else None, row.get("section")
                )
            )
    return found


def score(
    ranked: Sequence[tuple[Question, list[Passage]]],
    threshold: float,
    min_coverage: float,
) -> Scores:
    """The figures at these thresholds, from each question's ranked passages."""
    answerable = top1 = said = right = unanswerable = sectioned = in_section = 0
    misses = []
    for question, passages in ranked:
        best = next(
            (p for p in passages if p.score >= threshold and p.coverage >= min_coverage), None
        )
        answer = best.slug if best is not None else None
        if question.expected is None:
            unanswerable += 1
        else:
            answerable += 1
        if answer is None:
            said += 1
            right += question.expected is None
        elif question.expected is not None and answer in question.expected:
            top1 += 1
            if best is not None and question.section is not None:
                sectioned += 1
                in_section += best.heading == question.section
        if (answer is None) != (question.expected is None) or (
            answer is not None and question.expected is not None and answer not in question.expected
        ):
            misses.append(
                f"{question.text!r}: expected {'/'.join(question.expected or ('no match',))}, "
                f"got {answer or 'no match'}"
                + (
                    f" (ranked first: {passages[0].slug} {passages[0].score:.2f}, "
                    f"covering {passages[0].coverage:.0%})"
                    if passages
                    else ""
                )
            )
    return Scores(
        threshold,
        len(ranked),
        answerable,
        top1,
        said,
        right,
        unanswerable,
        tuple(misses),
        sectioned,
        in_section,
    )


def rank_questions(
    kb: KnowledgeBase, questions: Sequence[Question]
) -> list[tuple[Question, list[Passage]]]:
    return [(q, kb.rank(q.text, limit=CANDIDATES)) for q in questions]


def run_knowledge_eval(
    policy: Policy,
    split: str = "heldout",
    *,
    scratch_url: str | None = None,
    sweep: bool = False,
    show_misses: bool = False,
    lexical: bool = False,
) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        url = scratch_url or f"sqlite:///{Path(tmp) / 'knowledge.db'}"
        migrate(url)
        engine = make_engine(url)
        try:
            kb = KnowledgeBase(
                session_factory(engine),
                policy_placeholders(policy),
                embed=None if lexical else shared_embedder().embed,
            )
            kb.sync_from_dir(DEFAULT_ARTICLES)
            questions = load_questions(QUESTIONS[split])
            ranked = rank_questions(kb, questions)
            with session_factory(engine)() as session:
                threshold = kb.threshold(session)
                dialect = session.get_bind().dialect.name
        finally:
            engine.dispose()
    result = score(ranked, threshold, kb.min_coverage)
    engine_name = "full-text alone" if lexical else "full-text and sentence vector"
    print(
        f"knowledge base, {split} questions on {dialect} ({engine_name}): "
        f"{result.questions} questions "
        f"({result.answerable} with an article, {result.unanswerable} without); "
        f"thresholds: score {threshold:g}, coverage {kb.min_coverage:.0%}"
    )
    print(
        f"  top-1 accuracy      {result.top1_accuracy:6.1%}  "
        f"({result.top1_correct}/{result.answerable})"
    )
    if result.sectioned:
        print(
            f"  section accuracy    {result.section_accuracy:6.1%}  "
            f"({result.section_correct}/{result.sectioned} right articles with a labelled section)"
        )
    print(
        f"  no-match precision  {result.no_match_precision:6.1%}  "
        f"({result.no_match_right}/{result.no_match_said})"
    )
    print(
        f"  no-match recall     {result.no_match_recall:6.1%}  "
        f"({result.no_match_right}/{result.unanswerable})"
    )
    print(f"  all questions right {result.overall:6.1%}")
    if sweep:
        scores = sorted({p.score for _, found in ranked for p in found})
        print("  score  coverage  top-1  no-match-precision  no-match-recall  overall")
        for c in (0.0, 0.34, 0.5, 0.67) if lexical else (0.0,):
            for t in sorted({0.0, threshold, *scores[:: max(1, len(scores) // 8)]}):
                s = score(ranked, t, c)
                print(
                    f"  {t:5.2f}  {c:8.0%}  {s.top1_accuracy:5.1%}  {s.no_match_precision:18.1%}  "
                    f"{s.no_match_recall:15.1%}  {s.overall:7.1%}"
                )
    if show_misses:
        for miss in result.misses:
            print("  miss:", miss)
    return 0
