-- +goose Up
-- A deleted template keeps its row (deleted = 1) so that seeding, which
-- inserts only ids never held, does not bring a deleted default back.
CREATE TABLE templates (
    id          TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    body        TEXT NOT NULL, -- qbank.Template as JSON, without etag and times
    etag        TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL
);

-- +goose Down
DROP TABLE templates;
