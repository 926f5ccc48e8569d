-- +goose Up
-- Foundation: schools, people, classrooms, students, guardianships, invitations.
-- Every school-scoped table carries school_id, and child rows reference their
-- parents by (id, school_id), so the database itself refuses a row that would
-- tie two schools together.

CREATE TABLE schools (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    time_zone   text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    firebase_uid  text NOT NULL UNIQUE CHECK (length(firebase_uid) BETWEEN 1 AND 128),
    email         text,
    phone         text,
    display_name  text NOT NULL DEFAULT '',
    locale        text NOT NULL DEFAULT 'en-US',
    time_zone     text NOT NULL DEFAULT 'UTC',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_email_idx ON users (lower(email));

CREATE TABLE memberships (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    school_id   uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('PARENT', 'TEACHER', 'ADMIN')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, school_id, role)
);
CREATE INDEX memberships_school_idx ON memberships (school_id, role);

CREATE TABLE classrooms (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_id    uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    grade        text NOT NULL,
    school_year  text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, school_id)
);
CREATE INDEX classrooms_school_idx ON classrooms (school_id);

CREATE TABLE students (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_id       uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    first_name      text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
    last_name       text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
    preferred_name  text,
    grade           text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, school_id)
);
CREATE INDEX students_school_idx ON students (school_id);

CREATE TABLE enrollments (
    classroom_id  uuid NOT NULL,
    student_id    uuid NOT NULL,
    school_id     uuid NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (classroom_id, student_id),
    FOREIGN KEY (classroom_id, school_id) REFERENCES classrooms (id, school_id) ON DELETE CASCADE,
    FOREIGN KEY (student_id, school_id) REFERENCES students (id, school_id) ON DELETE CASCADE
);
CREATE INDEX enrollments_student_idx ON enrollments (student_id);

CREATE TABLE classroom_staff (
    classroom_id  uuid NOT NULL,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    school_id     uuid NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (classroom_id, user_id),
    FOREIGN KEY (classroom_id, school_id) REFERENCES classrooms (id, school_id) ON DELETE CASCADE
);
CREATE INDEX classroom_staff_user_idx ON classroom_staff (user_id);

CREATE TABLE guardianships (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_id     uuid NOT NULL,
    student_id    uuid NOT NULL,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    relationship  text NOT NULL,
    is_primary    boolean NOT NULL DEFAULT false,
    restricted    boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (student_id, user_id),
    FOREIGN KEY (student_id, school_id) REFERENCES students (id, school_id) ON DELETE CASCADE
);
CREATE INDEX guardianships_user_idx ON guardianships (user_id);

CREATE TABLE invitations (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_id       uuid NOT NULL,
    student_id      uuid NOT NULL,
    relationship    text NOT NULL,
    is_primary      boolean NOT NULL DEFAULT false,
    email           text,
    code_hash       bytea NOT NULL UNIQUE,
    expires_at      timestamptz NOT NULL,
    created_by_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redeemed_by_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    redeemed_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (student_id, school_id) REFERENCES students (id, school_id) ON DELETE CASCADE
);
CREATE INDEX invitations_student_idx ON invitations (student_id);

CREATE TABLE invitation_attempts (
    id          bigserial PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    succeeded   boolean NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invitation_attempts_user_idx ON invitation_attempts (user_id, created_at);

-- Demo mode's token signing key: one row, shared by every process on this database.
CREATE TABLE demo_signing_keys (
    id           smallint PRIMARY KEY CHECK (id = 1),
    private_key  bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE demo_signing_keys;
DROP TABLE invitation_attempts;
DROP TABLE invitations;
DROP TABLE guardianships;
DROP TABLE classroom_staff;
DROP TABLE enrollments;
DROP TABLE students;
DROP TABLE classrooms;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE schools;
