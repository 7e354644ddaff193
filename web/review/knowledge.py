"""`/review/admin/knowledge`: the shop's help articles, for admins to read, search and edit.

Saving re-indexes the article at once (the agent's next answer reads it), writes its
file in `<data dir>/knowledge/` and records an audit event with who changed it. An
article that cannot be indexed (no title, a bad slug, an unknown placeholder) is not
saved: the form comes back with the reason and the text as typed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from domain.knowledge import Article, InvalidArticle, make_article
from domain.policy import policy_placeholders
from store.knowledge import KnowledgeBase, knowledge_dir
from web.deps import Context, WebContext
from web.review.access import (
    Permission,
    PostingReviewer,
    Reviewer,
    ReviewerDep,
    ReviewError,
    require,
)
from web.review.render import page, see_other

router = APIRouter(prefix="/review/admin/knowledge")

MAX_QUERY_CHARS = 500


def knowledge_base(ctx: WebContext) -> KnowledgeBase:
    settings = ctx.settings
    return KnowledgeBase(
        ctx.sessions, policy_placeholders(settings.policy), knowledge_dir(settings.data_dir)
    )


def _form_page(
    request: Request,
    reviewer: Reviewer,
    ctx: WebContext,
    *,
    slug: str,
    title: str,
    body: str,
    creating: bool,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    kb = knowledge_base(ctx)
    sections: list[tuple[str, str]] = []
    if not creating and error is None:
        try:
            sections = kb.render(Article(slug, title, body))
        except InvalidArticle:
            sections = []
    return page(
        request,
        "admin_knowledge_article.html",
        {
            "slug": slug,
            "title": title,
            "body": body,
            "creating": creating,
            "sections": sections,
            "placeholders": sorted(kb.placeholders.items()),
            "error": error,
        },
        reviewer=reviewer,
        status_code=status_code,
    )


@router.get("", response_class=HTMLResponse, include_in_schema=False)
async def list_articles(
    request: Request, reviewer: ReviewerDep, ctx: Context, q: str = ""
) -> HTMLResponse:
    require(reviewer, Permission.ADMINISTER)
    kb = knowledge_base(ctx)
    articles = await run_in_threadpool(kb.list_articles)
    query = q.strip()[:MAX_QUERY_CHARS]
    results = await run_in_threadpool(kb.search, query, 5) if query else []
    context: dict[str, Any] = {
        "articles": articles,
        "query": query,
        "results": results,
        "directory": str(kb.directory),
    }
    return page(request, "admin_knowledge.html", context, reviewer=reviewer)


@router.get("/new", response_class=HTMLResponse, include_in_schema=False)
async def new_article(request: Request, reviewer: ReviewerDep, ctx: Context) -> HTMLResponse:
    require(reviewer, Permission.ADMINISTER)
    return _form_page(request, reviewer, ctx, slug="", title="", body="", creating=True)


@router.post("/new", include_in_schema=False)
async def create_article(
    request: Request,
    reviewer: PostingReviewer,
    ctx: Context,
    slug: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
) -> Response:
    require(reviewer, Permission.ADMINISTER)
    slug = slug.strip().lower()
    try:
        if slug == "new":  # the address of this form
            raise InvalidArticle("'new' cannot name an article; choose another slug")
        article = make_article(slug, title, body)
        await run_in_threadpool(knowledge_base(ctx).save, article, reviewer.username, create=True)
    except InvalidArticle as exc:
        return _form_page(
            request, reviewer, ctx, slug=slug, title=title, body=body, creating=True,
            error=str(exc), status_code=422,
        )  # fmt: skip
    return see_other(f"/review/admin/knowledge/{article.slug}?notice=article_saved")


@router.get("/{slug}", response_class=HTMLResponse, include_in_schema=False)
async def show_article(
    request: Request, slug: str, reviewer: ReviewerDep, ctx: Context
) -> HTMLResponse:
    require(reviewer, Permission.ADMINISTER)
    stored = await run_in_threadpool(knowledge_base(ctx).get, slug)
    if stored is None:
        raise ReviewError(404, "No such article", f"There is no article {slug[:80]!r}.")
    return _form_page(
        request, reviewer, ctx, slug=stored.slug, title=stored.title, body=stored.body,
        creating=False,
    )  # fmt: skip


@router.post("/{slug}", include_in_schema=False)
async def save_article(
    request: Request,
    slug: str,
    reviewer: PostingReviewer,
    ctx: Context,
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
) -> Response:
    require(reviewer, Permission.ADMINISTER)
    kb = knowledge_base(ctx)
    if await run_in_threadpool(kb.get, slug) is None:
        raise ReviewError(404, "No such article", f"There is no article {slug[:80]!r}.")
    try:
        article = make_article(slug, title, body)
        await run_in_threadpool(kb.save, article, reviewer.username)
    except InvalidArticle as exc:
        return _form_page(
            request, reviewer, ctx, slug=slug, title=title, body=body, creating=False,
            error=str(exc), status_code=422,
        )  # fmt: skip
    return see_other(f"/review/admin/knowledge/{slug}?notice=article_saved")


@router.post("/{slug}/delete", include_in_schema=False)
async def delete_article(
    request: Request, slug: str, reviewer: PostingReviewer, ctx: Context
) -> Response:
    require(reviewer, Permission.ADMINISTER)
    try:
        deleted = await run_in_threadpool(knowledge_base(ctx).delete, slug, reviewer.username)
    except InvalidArticle:
        deleted = False
    if not deleted:
        raise ReviewError(404, "No such article", f"There is no article {slug[:80]!r}.")
    return see_other("/review/admin/knowledge?notice=article_deleted")
