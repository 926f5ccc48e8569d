-- +goose Up
-- Push notifications: devices, preferences, quiet hours, and the record of
-- every notification, its recipients and each (notification, device)
-- delivery, so a retried fan-out sends only what is still owed.

CREATE TABLE devices (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token         text NOT NULL UNIQUE CHECK (length(token) BETWEEN 1 AND 4096),
    platform      text NOT NULL CHECK (platform IN ('IOS', 'ANDROID', 'WEB')),
    app_version   text NOT NULL DEFAULT '',
    locale        text NOT NULL DEFAULT 'en-US',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_user_idx ON devices (user_id);

CREATE TABLE notification_preferences (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category    text NOT NULL CHECK (category IN ('NEW_MESSAGE', 'POSITIVE_NOTE', 'OBSERVATION', 'CONFERENCE', 'ANNOUNCEMENT', 'EVENT', 'COACHING')),
    push        boolean NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, category)
);

-- Quiet hours, in minutes after midnight in the user's time zone; both or neither.
ALTER TABLE users
    ADD COLUMN quiet_hours_start smallint CHECK (quiet_hours_start BETWEEN 0 AND 1439),
    ADD COLUMN quiet_hours_end   smallint CHECK (quiet_hours_end BETWEEN 0 AND 1439),
    ADD CONSTRAINT users_quiet_hours_both CHECK ((quiet_hours_start IS NULL) = (quiet_hours_end IS NULL));

CREATE TABLE notifications (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_id     uuid REFERENCES schools (id) ON DELETE CASCADE,
    type          text NOT NULL,
    category      text NOT NULL,
    urgent        boolean NOT NULL DEFAULT false,
    params        jsonb NOT NULL DEFAULT '{}',
    data          jsonb NOT NULL DEFAULT '{}',
    deep_link     text NOT NULL,
    collapse_key  text NOT NULL,
    thread_id     text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notification_recipients (
    notification_id  uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- PENDING: not planned yet; DEFERRED: waiting for quiet hours to end;
    -- SKIPPED: the category is off; PLANNED: deliveries written.
    state            text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'DEFERRED', 'SKIPPED', 'PLANNED')),
    deferred_until   timestamptz,
    read_at          timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (notification_id, user_id)
);
CREATE INDEX notification_recipients_unread_idx ON notification_recipients (user_id) WHERE read_at IS NULL AND state <> 'SKIPPED';

CREATE TABLE notification_deliveries (
    notification_id  uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    -- No foreign key: the record outlives a device removed for a dead token.
    device_id        uuid NOT NULL,
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- PENDING: owed (from next_attempt_at); SENDING: claimed by the job
    -- claimed_by, in flight; SENT and FAILED are final.
    status           text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENDING', 'SENT', 'FAILED')),
    claimed_by       bigint,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    error_code       text,
    message_id       text,
    attempts         integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (notification_id, device_id)
);
CREATE INDEX notification_deliveries_owed_idx ON notification_deliveries (notification_id, next_attempt_at) WHERE status IN ('PENDING', 'SENDING');

-- +goose Down
DROP TABLE notification_deliveries;
DROP TABLE notification_recipients;
DROP TABLE notifications;
ALTER TABLE users DROP CONSTRAINT users_quiet_hours_both, DROP COLUMN quiet_hours_end, DROP COLUMN quiet_hours_start;
DROP TABLE notification_preferences;
DROP TABLE devices;
