-- +goose Up
-- Parent–teacher conferences. An admin opens a round (a date range, a slot
-- length, in person or by video) for the school or one grade; teachers
-- publish availability windows, cut into slots; a parent books one slot per
-- child per round. The partial unique indexes are what make booking safe
-- under any concurrency: a slot holds one live booking, a child one per
-- round, and a reschedule (cancel + book in one transaction) either takes
-- the new slot or leaves the old booking as it was.

CREATE TABLE conference_rounds (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_id      uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- NULL: the whole school; else the grade it is for.
    grade          text,
    starts_on      date NOT NULL,
    ends_on        date NOT NULL CHECK (ends_on >= starts_on),
    slot_minutes   integer NOT NULL CHECK (slot_minutes BETWEEN 5 AND 120),
    mode           text NOT NULL CHECK (mode IN ('IN_PERSON', 'VIDEO')),
    location       text NOT NULL DEFAULT '',
    video_url      text NOT NULL DEFAULT '',
    created_by_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, school_id)
);
CREATE INDEX conference_rounds_school_idx ON conference_rounds (school_id, starts_on);

CREATE TABLE conference_slots (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    round_id      uuid NOT NULL,
    school_id     uuid NOT NULL,
    teacher_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL CHECK (ends_at > starts_at),
    cancelled_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (round_id, school_id) REFERENCES conference_rounds (id, school_id) ON DELETE CASCADE
);
CREATE INDEX conference_slots_round_idx ON conference_slots (round_id, starts_at);
CREATE UNIQUE INDEX conference_slots_teacher_start_idx ON conference_slots (teacher_id, starts_at) WHERE cancelled_at IS NULL;

CREATE TABLE conference_bookings (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slot_id          uuid NOT NULL REFERENCES conference_slots (id) ON DELETE CASCADE,
    round_id         uuid NOT NULL REFERENCES conference_rounds (id) ON DELETE CASCADE,
    school_id        uuid NOT NULL,
    student_id       uuid NOT NULL,
    booked_by_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The teacher's notes to prepare; staff only.
    notes            text NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
    created_at       timestamptz NOT NULL DEFAULT now(),
    cancelled_at     timestamptz,
    cancelled_by_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    FOREIGN KEY (student_id, school_id) REFERENCES students (id, school_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX conference_bookings_slot_idx ON conference_bookings (slot_id) WHERE cancelled_at IS NULL;
CREATE UNIQUE INDEX conference_bookings_student_idx ON conference_bookings (round_id, student_id) WHERE cancelled_at IS NULL;
CREATE INDEX conference_bookings_booker_idx ON conference_bookings (booked_by_id);

-- Notifications scheduled for later (reminders) can be called off by key
-- until they are sent.
ALTER TABLE notifications ADD COLUMN cancel_key text;
CREATE INDEX notifications_cancel_key_idx ON notifications (cancel_key) WHERE cancel_key IS NOT NULL;

-- +goose Down
DROP INDEX notifications_cancel_key_idx;
ALTER TABLE notifications DROP COLUMN cancel_key;
DROP TABLE conference_bookings;
DROP TABLE conference_slots;
DROP TABLE conference_rounds;
