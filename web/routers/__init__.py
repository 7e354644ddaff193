"""The HTTP API, one router per feature; `web.app.create_app` includes them all."""
