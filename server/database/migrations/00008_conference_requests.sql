-- +goose Up
-- A family asks for a meeting that includes the school ("we'd like to meet
-- with the school about…"): the request reaches the child's teacher and the
-- school's admins, who propose times; the family accepts one.
CREATE TABLE conference_requests (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_id           uuid NOT NULL,
    student_id          uuid NOT NULL,
    teacher_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    requested_by_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic               text NOT NULL CHECK (length(topic) BETWEEN 1 AND 1000),
    state               text NOT NULL DEFAULT 'OPEN' CHECK (state IN ('OPEN', 'SCHEDULED', 'CANCELLED')),
    accepted_option_id  uuid,
    created_at          timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (student_id, school_id) REFERENCES students (id, school_id) ON DELETE CASCADE
);
CREATE INDEX conference_requests_school_idx ON conference_requests (school_id, created_at);

CREATE TABLE conference_request_options (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    request_id      uuid NOT NULL REFERENCES conference_requests (id) ON DELETE CASCADE,
    proposed_by_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL CHECK (ends_at > starts_at),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conference_request_options_request_idx ON conference_request_options (request_id, starts_at);

-- +goose Down
DROP TABLE conference_request_options;
DROP TABLE conference_requests;
