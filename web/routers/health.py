"""Liveness: answers as soon as the process serves requests (used by `trustdesk up`)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness check")
async def healthz() -> dict[str, bool]:
    return {"ok": True}
