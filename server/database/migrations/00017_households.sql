-- +goose Up
-- Households: a child's guardians who live together share a household key
-- (from the roster's metadata.household, or set by an admin). Guardians of
-- one child with different keys are separate households (separated
-- parents), each with its own threads and, later, its own conferences;
-- NULL means the school has not said, and such guardians count as one.
-- The key lives on the guardianship, a school's own row, like the rest of
-- the family's data.
ALTER TABLE guardianships ADD COLUMN household text CHECK (length(household) BETWEEN 1 AND 64);

-- +goose Down
ALTER TABLE guardianships DROP COLUMN household;
