-- +goose Up
-- Conferences that lead somewhere. Before: the family writes what they want
-- to talk about and what they see at home, on a round's booking or a
-- meeting request. After: the teacher shares a summary with next steps,
-- each owned by HOME or SCHOOL; the family acknowledges it and can add to
-- it; at check_in_at both sides are asked how each step goes, and their
-- answers (and a step marked done) join the student's timeline.
--
-- Separated households each book their own conference for a child: a
-- booking (and a request) belongs to the household of whoever made it
-- (coalesce(guardianships.household, '')), and only that household's
-- guardians see it, its summary and its answers.

ALTER TABLE conference_bookings
    ADD COLUMN household text NOT NULL DEFAULT '',
    ADD COLUMN questions text NOT NULL DEFAULT '' CHECK (length(questions) <= 2000),
    ADD COLUMN at_home   text NOT NULL DEFAULT '' CHECK (length(at_home) <= 2000);
UPDATE conference_bookings b SET household = coalesce(g.household, '')
    FROM guardianships g WHERE g.user_id = b.booked_by_id AND g.student_id = b.student_id AND g.household IS NOT NULL;
DROP INDEX conference_bookings_student_idx;
CREATE UNIQUE INDEX conference_bookings_student_idx ON conference_bookings (round_id, student_id, household) WHERE cancelled_at IS NULL;

ALTER TABLE conference_requests
    ADD COLUMN household text NOT NULL DEFAULT '',
    ADD COLUMN at_home   text NOT NULL DEFAULT '' CHECK (length(at_home) <= 2000);
UPDATE conference_requests r SET household = coalesce(g.household, '')
    FROM guardianships g WHERE g.user_id = r.requested_by_id AND g.student_id = r.student_id AND g.household IS NOT NULL;

-- One summary per meeting: a round's booking or a scheduled request.
CREATE TABLE conference_summaries (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_id           uuid NOT NULL,
    student_id          uuid NOT NULL,
    booking_id          uuid UNIQUE REFERENCES conference_bookings (id) ON DELETE CASCADE,
    request_id          uuid UNIQUE REFERENCES conference_requests (id) ON DELETE CASCADE,
    household           text NOT NULL,
    author_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body                text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    check_in_days       integer NOT NULL CHECK (check_in_days BETWEEN 1 AND 180),
    check_in_at         timestamptz NOT NULL,
    acknowledged_at     timestamptz,
    acknowledged_by_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((booking_id IS NULL) <> (request_id IS NULL)),
    FOREIGN KEY (student_id, school_id) REFERENCES students (id, school_id) ON DELETE CASCADE
);
CREATE INDEX conference_summaries_student_idx ON conference_summaries (student_id, created_at DESC, id DESC);

CREATE TABLE conference_next_steps (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    summary_id  uuid NOT NULL REFERENCES conference_summaries (id) ON DELETE CASCADE,
    position    smallint NOT NULL,
    owner       text NOT NULL CHECK (owner IN ('HOME', 'SCHOOL')),
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 500),
    due_on      date,
    done_at     timestamptz,
    done_by_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (summary_id, position)
);

-- What either side adds later: the family's additions to the summary, and
-- both sides' check-in answers on a step.
CREATE TABLE conference_follow_ups (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    summary_id  uuid NOT NULL REFERENCES conference_summaries (id) ON DELETE CASCADE,
    step_id     uuid REFERENCES conference_next_steps (id) ON DELETE CASCADE,
    school_id   uuid NOT NULL,
    student_id  uuid NOT NULL,
    author_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('ADDITION', 'CHECK_IN')),
    progress    text CHECK (progress IN ('NOT_STARTED', 'GOING_WELL', 'STUCK', 'DONE')),
    body        text NOT NULL DEFAULT '' CHECK (length(body) <= 2000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'CHECK_IN') = (step_id IS NOT NULL AND progress IS NOT NULL)),
    FOREIGN KEY (student_id, school_id) REFERENCES students (id, school_id) ON DELETE CASCADE
);
CREATE INDEX conference_follow_ups_summary_idx ON conference_follow_ups (summary_id, created_at);
CREATE INDEX conference_follow_ups_student_idx ON conference_follow_ups (student_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE conference_follow_ups;
DROP TABLE conference_next_steps;
DROP TABLE conference_summaries;
ALTER TABLE conference_requests DROP COLUMN at_home, DROP COLUMN household;
DROP INDEX conference_bookings_student_idx;
ALTER TABLE conference_bookings DROP COLUMN at_home, DROP COLUMN questions, DROP COLUMN household;
CREATE UNIQUE INDEX conference_bookings_student_idx ON conference_bookings (round_id, student_id) WHERE cancelled_at IS NULL;
