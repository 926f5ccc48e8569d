-- +goose Up
-- Parent-education events and workshops with a capacity: families RSVP
-- with a head count; when it is full they wait in line (created_at is
-- their place), and a cancellation promotes whoever is first and fits.
CREATE TABLE school_events (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_id      uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    topic          text NOT NULL,
    description    text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    starts_at      timestamptz NOT NULL,
    ends_at        timestamptz NOT NULL CHECK (ends_at > starts_at),
    location       text NOT NULL DEFAULT '',
    video_url      text NOT NULL DEFAULT '',
    capacity       integer NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
    created_by_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX school_events_school_idx ON school_events (school_id, starts_at);

CREATE TABLE event_rsvps (
    event_id    uuid NOT NULL REFERENCES school_events (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    head_count  integer NOT NULL CHECK (head_count BETWEEN 1 AND 10),
    state       text NOT NULL CHECK (state IN ('GOING', 'WAITLISTED', 'CANCELLED')),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (event_id, user_id)
);
CREATE INDEX event_rsvps_line_idx ON event_rsvps (event_id, state, created_at);

-- +goose Down
DROP TABLE event_rsvps;
DROP TABLE school_events;
