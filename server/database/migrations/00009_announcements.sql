-- +goose Up
-- Announcements to an audience of families: the school, a grade, or a
-- classroom. Visible to the audience's guardians from publish_at on (a
-- scheduled one is pushed then); read receipts per user.
CREATE TABLE announcements (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_id     uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    audience      text NOT NULL CHECK (audience IN ('SCHOOL', 'GRADE', 'CLASSROOM')),
    grade         text,
    classroom_id  uuid REFERENCES classrooms (id) ON DELETE CASCADE,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    urgent        boolean NOT NULL DEFAULT false,
    author_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    publish_at    timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((audience = 'SCHOOL' AND grade IS NULL AND classroom_id IS NULL)
        OR (audience = 'GRADE' AND grade IS NOT NULL AND classroom_id IS NULL)
        OR (audience = 'CLASSROOM' AND grade IS NULL AND classroom_id IS NOT NULL))
);
CREATE INDEX announcements_school_idx ON announcements (school_id, publish_at DESC, id DESC);

CREATE TABLE announcement_reads (
    announcement_id  uuid NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    read_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (announcement_id, user_id)
);

-- +goose Down
DROP TABLE announcement_reads;
DROP TABLE announcements;
