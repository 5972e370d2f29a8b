"""Speakers (issue 9): one row per person, body or publication an article credits.

``quotes.speaker_id`` points at the speaker every mention of them resolves to ("Dr. Gmyrek",
"she", "the dermatologist"); ``quotes.speaker`` stays the display name, ``quotes.partial`` marks
quoted words inside reported speech.
"""

from __future__ import annotations

import sqlite_utils

from .db import index_foreign_keys, migrations


@migrations()
def m100_speakers(db: sqlite_utils.Database) -> None:
    db["speakers"].create(
        {"id": int, "article_id": int, "name": str, "kind": str, "description": str},
        pk="id",
        not_null={"article_id", "name", "kind"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["speakers"].create_index(["article_id", "name"], unique=True)
    db["speakers"].create_index(["kind"])
    db.execute(
        """
        CREATE TRIGGER speakers_check_kind BEFORE INSERT ON speakers
        BEGIN
            SELECT RAISE(ABORT, 'speakers: kind must be person, organization, publication, document or group')
            WHERE NEW.kind NOT IN ('person', 'organization', 'publication', 'document', 'group');
        END
        """
    )
    quotes = db["quotes"]
    # Plain ALTER TABLE: sqlite-utils' add_column(fk=...) rebuilds the table, which would drop
    # the quotes_fts triggers.
    db.execute("ALTER TABLE quotes ADD COLUMN speaker_id INTEGER REFERENCES speakers(id)")
    quotes.add_column("partial", int, not_null_default=0)
    quotes.create_index(["speaker_id"], if_not_exists=True)
    quotes.create_index(["kind"], if_not_exists=True)
    db["speakers"].enable_fts(["name", "description"], create_triggers=True)
    index_foreign_keys(db)
