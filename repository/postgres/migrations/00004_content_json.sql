-- +goose Up
-- Store question content as json (its text, kept as written) instead of
-- jsonb: the service never queries inside it, and turning 100,000 jsonb
-- values back into text on every start-up dominated loading the bank.
ALTER TABLE question_versions ALTER COLUMN content TYPE json USING content::json;

-- +goose Down
ALTER TABLE question_versions ALTER COLUMN content TYPE jsonb USING content::jsonb;
