"""Trustdesk's web process: the chat page, the HTTP API and (later) the review UI.

`web.app.create_app` builds the FastAPI application; `web.app.run_web` serves it.
"""
