-- +goose Up
-- Limits that hold across instances. rate_usage: the rate-limit tokens
-- each instance spent per key (user or address) in each second; every
-- instance adds its own and reads the others' a few times a second
-- (server/api SharedLimits). live_sockets: each open signed-in websocket,
-- kept fresh by its instance's heartbeat, so a user's socket limit counts
-- the sockets on every instance; a dead instance's go stale and stop
-- counting.
CREATE TABLE rate_usage (
    key      text NOT NULL CHECK (length(key) <= 128),
    -- the second (Unix time) the tokens were spent in
    second   bigint NOT NULL,
    instance text NOT NULL CHECK (length(instance) <= 64),
    used     bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (key, second, instance)
);
CREATE INDEX rate_usage_second_idx ON rate_usage (second);

CREATE TABLE live_sockets (
    id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    instance  text NOT NULL CHECK (length(instance) <= 64),
    opened_at timestamptz NOT NULL DEFAULT now(),
    seen_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX live_sockets_user_idx ON live_sockets (user_id, seen_at);
CREATE INDEX live_sockets_instance_idx ON live_sockets (instance);

-- +goose Down
DROP TABLE live_sockets;
DROP TABLE rate_usage;
