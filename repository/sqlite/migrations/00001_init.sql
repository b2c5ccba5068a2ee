-- +goose Up
-- bank_meta holds the bank revision: every write transaction bumps it first,
-- which also serialises writers and orders them for replicas.
CREATE TABLE bank_meta (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL
);
INSERT INTO bank_meta (id, revision) VALUES (1, 0);

-- The taxonomy is one JSON document: it is read whole and replaced whole.
CREATE TABLE taxonomy (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    body TEXT NOT NULL
);

-- questions is the head of each question: its current version and state.
CREATE TABLE questions (
    id          TEXT PRIMARY KEY,
    version     INTEGER NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('draft', 'active', 'retired')),
    etag        TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    create_time INTEGER NOT NULL, -- unix microseconds
    update_time INTEGER NOT NULL
);

-- question_versions is append-only: a version, once written, never changes.
CREATE TABLE question_versions (
    question_id TEXT NOT NULL REFERENCES questions (id),
    version     INTEGER NOT NULL CHECK (version >= 1),
    content     TEXT NOT NULL, -- qbank.Content as JSON
    author      TEXT NOT NULL,
    change_note TEXT NOT NULL,
    create_time INTEGER NOT NULL,
    PRIMARY KEY (question_id, version)
);

-- +goose Down
DROP TABLE question_versions;
DROP TABLE questions;
DROP TABLE taxonomy;
DROP TABLE bank_meta;
