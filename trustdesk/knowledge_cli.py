"""`trustdesk knowledge search|sync`: the knowledge base from the command line."""

from __future__ import annotations

import argparse
from typing import TextIO

from brain.embedding import shared_embedder
from domain.knowledge import answer_from_passages
from domain.policy import policy_placeholders
from store.db import make_engine, migrate, session_factory
from store.knowledge import KnowledgeBase, install_default_articles, knowledge_dir
from trustdesk.config import Settings


def open_knowledge_base(settings: Settings, *, search: bool = False) -> KnowledgeBase:
    """The store's knowledge base, its articles in `<data dir>/knowledge/`; to `search`
    it as the worker does, with the sentence vector."""
    return KnowledgeBase(
        session_factory(make_engine(settings.store_url)),
        policy_placeholders(settings.policy),
        knowledge_dir(settings.data_dir),
        embed=shared_embedder().embed if search else None,
    )


def prepare_knowledge(settings: Settings) -> str:
    """On first start copy the shipped articles into the data dir; index the directory."""
    directory = knowledge_dir(settings.data_dir)
    copied = install_default_articles(directory)
    report = open_knowledge_base(settings).sync_from_dir(directory)
    origin = "the shipped articles, " if copied else ""
    return f"{report.indexed} articles ({origin}{report.passages} passages) from {directory}" + (
        f", {report.removed} removed" if report.removed else ""
    )


def run_knowledge(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    migrate(settings.store_url)
    if args.knowledge_command == "sync":
        print(f"indexed {prepare_knowledge(settings)}", file=out)
        return 0
    if not knowledge_dir(settings.data_dir).exists():  # first use: the shipped articles
        prepare_knowledge(settings)
    kb = open_knowledge_base(settings, search=True)
    passages = kb.search(args.question, limit=args.limit)
    if not passages:
        print("no match: no article answers this well enough (a person would be offered)", file=out)
        return 1
    answer = answer_from_passages(args.question, passages)
    print(f"answer ({answer.citation}): {answer.text}", file=out)
    print("", file=out)
    for p in passages:
        print(f"{p.score:7.2f}  {p.slug}  {p.citation}", file=out)
    return 0
