"""The schema's migration goes down as cleanly as it goes up, on SQLite and PostgreSQL: nothing is left
behind (PostgreSQL's trigger function included), so upgrading again works and answers are append-only again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from web_support import db_url, postgres_server  # noqa: F401  (fixtures)

from grader.web import db

pytestmark = pytest.mark.web


def _config(connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def test_down_and_up_again_leaves_a_working_append_only_table(db_url):  # noqa: F811
    from alembic import command

    engine = db.make_engine(db_url)
    db.migrate(engine)
    with engine.begin() as connection:
        command.downgrade(_config(connection), "base")
    assert "answers" not in sa.inspect(engine).get_table_names()
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            left = connection.execute(sa.text("SELECT count(*) FROM pg_proc WHERE proname = 'answers_append_only'"))
            assert left.scalar() == 0
    db.migrate(engine)  # up again
    row = {"student": "s1", "bank": "b", "question": "q", "part": "a", "raw": "1", "verdict": "correct",
           "score": 1.0, "note": "", "feedback": "", "shown": "1", "attempt": 1, "variant_round": 0,
           "submission": "x", "submitted_at": db.utcnow(), "bank_fingerprint": "f"}
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO answers (student, bank, question, part, raw, verdict, score, note, "
                                   "feedback, shown, attempt, variant_round, submission, submitted_at, "
                                   "bank_fingerprint) VALUES (:student, :bank, :question, :part, :raw, :verdict, "
                                   ":score, :note, :feedback, :shown, :attempt, :variant_round, :submission, "
                                   ":submitted_at, :bank_fingerprint)"), row)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE answers SET score = 0"))
    engine.dispose()
