-- +goose Up
-- A deleted template keeps its row (deleted) so that seeding, which inserts
-- only ids never held, does not bring a deleted default back.
CREATE TABLE templates (
    id          TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    body        JSONB NOT NULL, -- qbank.Template without etag and times
    etag        TEXT NOT NULL,
    revision    BIGINT NOT NULL,
    deleted     BOOLEAN NOT NULL DEFAULT FALSE,
    create_time TIMESTAMPTZ NOT NULL,
    update_time TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE templates;
