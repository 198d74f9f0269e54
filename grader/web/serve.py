"""Running the app: one uvicorn process, or several (``--workers``) sharing one database.

Migrations run once here, before any worker starts, so workers never race
to create tables. With several workers each builds its own app (and its
own grading pool) from ``GRADER_WEB_SETTINGS`` and ``GRADER_SECRET``.
"""

from __future__ import annotations

import os

from grader.web import db
from grader.web.app import SETTINGS_ENV, WebSettings, create_app


def serve(settings: WebSettings, secret: str, host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    db.migrate(db.make_engine(settings.db_url))
    if workers <= 1:
        uvicorn.run(create_app(WebSettings(**{**settings.__dict__, "migrate": False}), secret), host=host,
                    port=port, log_level="warning", access_log=False)
        return
    os.environ[SETTINGS_ENV] = settings.to_env()
    os.environ["GRADER_SECRET"] = secret
    uvicorn.run("grader.web.app:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)
