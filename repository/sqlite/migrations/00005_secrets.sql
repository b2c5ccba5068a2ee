-- +goose Up
-- Server secrets: keys every replica must agree on (such as the one that
-- authenticates page tokens). Each is created once, by whichever replica
-- asks first, and never changes. They are not bank content: writing one does
-- not move the bank revision, and no export reads this table.
CREATE TABLE secrets (
    name        TEXT PRIMARY KEY,
    value       BLOB NOT NULL,
    create_time INTEGER NOT NULL -- unix microseconds
);

-- +goose Down
DROP TABLE secrets;
