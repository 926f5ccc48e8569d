-- +goose Up
-- The channels besides push a school sends on (a school without a texting
-- budget turns SMS off, one that must not email families turns email
-- off): notifications, fallbacks, digests, invitations and urgent alerts
-- all keep to them. Verification codes a person asks for are theirs.
ALTER TABLE schools ADD COLUMN channels text[] NOT NULL DEFAULT '{EMAIL,SMS}'
    CHECK (channels <@ ARRAY['EMAIL', 'SMS']::text[]);

-- +goose Down
ALTER TABLE schools DROP COLUMN channels;
