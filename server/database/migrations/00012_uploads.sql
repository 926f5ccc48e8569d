-- +goose Up
-- Uploads of photos and PDFs: the client asks for one (type, size,
-- checksum), PUTs the bytes to a short-lived signed URL, then completes it;
-- the server checks and processes the bytes. An upload not attached to
-- anything by expires_at is deleted with its files.
CREATE TABLE uploads (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size          bigint NOT NULL CHECK (size > 0),
    sha256        text NOT NULL CHECK (length(sha256) = 64),
    state         text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'READY')),
    width         integer,
    height        integer,
    attached_at   timestamptz,
    expires_at    timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX uploads_expiry_idx ON uploads (expires_at) WHERE attached_at IS NULL;

-- Secrets every server process shares (the file URL signing key).
CREATE TABLE server_secrets (
    name        text PRIMARY KEY,
    value       bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE server_secrets;
DROP TABLE uploads;
