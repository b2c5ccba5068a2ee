-- +goose Up
-- bank_meta holds the bank revision: every write transaction bumps it first,
-- which takes the row lock that serialises writers across replicas and gives
-- every commit a position in one order.
CREATE TABLE bank_meta (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO bank_meta (id, revision) VALUES (1, 0);

-- The taxonomy is one JSON document: it is read whole and replaced whole.
CREATE TABLE taxonomy (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    body JSONB NOT NULL
);

-- questions is the head of each question: its current version and state.
CREATE TABLE questions (
    id          TEXT PRIMARY KEY,
    version     INTEGER NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('draft', 'active', 'retired')),
    etag        TEXT NOT NULL,
    revision    BIGINT NOT NULL,
    create_time TIMESTAMPTZ NOT NULL,
    update_time TIMESTAMPTZ NOT NULL
);

-- question_versions is append-only: a version, once written, never changes.
CREATE TABLE question_versions (
    question_id TEXT NOT NULL REFERENCES questions (id),
    version     INTEGER NOT NULL CHECK (version >= 1),
    content     JSONB NOT NULL, -- qbank.Content
    author      TEXT NOT NULL,
    change_note TEXT NOT NULL,
    create_time TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (question_id, version)
);

-- +goose Down
DROP TABLE question_versions;
DROP TABLE questions;
DROP TABLE taxonomy;
DROP TABLE bank_meta;
