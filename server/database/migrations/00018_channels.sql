-- +goose Up
-- Email and SMS: each person's contact points (verified with a one-time
-- code before use when the person adds them; the school's roster vouches
-- for its own, and a roster number gets one opt-in text before anything
-- else), and one row per email or text, written before it is sent, with
-- the provider's status as its callbacks report it.

CREATE TABLE contact_points (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id             uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel             text NOT NULL CHECK (channel IN ('EMAIL', 'SMS')),
    -- A lower-case email address, or a phone number in E.164.
    address             text NOT NULL CHECK (length(address) BETWEEN 3 AND 254),
    source              text NOT NULL CHECK (source IN ('ROSTER', 'USER')),
    verified_at         timestamptz,
    -- SMS: when the number agreed to texts (a verified code, or YES/START
    -- to the opt-in text), and when that opt-in text went.
    consent_at          timestamptz,
    opt_in_sent_at      timestamptz,
    -- STOP or one-click unsubscribe; a bounce or carrier rejection.
    opted_out_at        timestamptz,
    undeliverable_at    timestamptz,
    -- The pending one-time code (its SHA-256; empty: none), its expiry and wrong tries;
    -- codes sent in the current window (rate limit).
    code_hash           bytea NOT NULL DEFAULT '',
    code_expires_at     timestamptz,
    code_attempts       integer NOT NULL DEFAULT 0,
    codes_sent          integer NOT NULL DEFAULT 0,
    codes_window_start  timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, channel, address)
);
CREATE INDEX contact_points_address_idx ON contact_points (channel, address);

CREATE TABLE outbound_messages (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Rows written together are sent by one job.
    batch_id          uuid NOT NULL,
    school_id         uuid REFERENCES schools (id) ON DELETE CASCADE,
    user_id           uuid REFERENCES users (id) ON DELETE CASCADE,
    contact_point_id  uuid REFERENCES contact_points (id) ON DELETE SET NULL,
    channel           text NOT NULL CHECK (channel IN ('EMAIL', 'SMS')),
    address           text NOT NULL,
    -- Why it is sent: VERIFY, OPT_IN, HELP, NOTIFICATION, URGENT, DIGEST,
    -- INVITATION, MESSAGE.
    purpose           text NOT NULL,
    -- What it is about (a notification, a conversation), for replies and
    -- for never sending one thing twice to one point.
    notification_id   uuid,
    conversation_id   uuid,
    dedupe_key        text UNIQUE,
    subject           text NOT NULL DEFAULT '',
    body              text NOT NULL,
    html              text NOT NULL DEFAULT '',
    -- PENDING: owed (from next_attempt_at); SENDING: on the wire; QUEUED,
    -- SENT, DELIVERED: the provider has it; FAILED, UNDELIVERABLE: final.
    status            text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENDING', 'QUEUED', 'SENT', 'DELIVERED', 'FAILED', 'UNDELIVERABLE')),
    provider_id       text,
    error_code        text,
    segments          integer NOT NULL DEFAULT 0,
    attempts          integer NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbound_messages_batch_idx ON outbound_messages (batch_id, next_attempt_at) WHERE status IN ('PENDING', 'SENDING');
CREATE INDEX outbound_messages_provider_idx ON outbound_messages (provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX outbound_messages_point_idx ON outbound_messages (contact_point_id, created_at DESC);

-- +goose Down
DROP TABLE outbound_messages;
DROP TABLE contact_points;
