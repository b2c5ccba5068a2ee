-- +goose Up
-- The revision of the write that last replaced the taxonomy, so catalogs can
-- fetch it only when it changed.
ALTER TABLE taxonomy ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE taxonomy DROP COLUMN revision;
