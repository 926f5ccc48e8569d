-- +goose Up
-- The one-time code a roster invitation carries (only its SHA-256 is kept):
-- whoever signs in and redeems it becomes the person the roster recorded,
-- whatever email or number they sign in with. user_id moves with the
-- record when it is claimed, so a retried redemption finds it again.
CREATE TABLE roster_claims (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash   bytea NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    redeemed_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX roster_claims_user_idx ON roster_claims (user_id);

-- +goose Down
DROP TABLE roster_claims;
