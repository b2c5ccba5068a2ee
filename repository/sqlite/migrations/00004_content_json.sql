-- +goose Up
-- PostgreSQL's migration 4 changes its content column from jsonb to json;
-- SQLite already keeps the text as written. Kept so both stores share
-- migration numbers.
SELECT 1;

-- +goose Down
SELECT 1;
