-- +goose Up
-- Districts above schools, and what a OneRoster import keeps: which of our
-- rows each sourcedId of a district became (so the next import updates in
-- place), and each import's outcome. Students can be withdrawn and
-- guardianships ended: the history stays (for the retention rules), the
-- access goes.

CREATE TABLE districts (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    time_zone   text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE schools ADD COLUMN district_id uuid REFERENCES districts (id) ON DELETE RESTRICT;
CREATE INDEX schools_district_idx ON schools (district_id);

-- A district admin administers every school of the district.
CREATE TABLE district_admins (
    district_id  uuid NOT NULL REFERENCES districts (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (district_id, user_id)
);
CREATE INDEX district_admins_user_idx ON district_admins (user_id);

-- A district message monitor is a MONITOR at every school of the district.
CREATE TABLE district_monitors (
    district_id  uuid NOT NULL REFERENCES districts (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (district_id, user_id)
);
CREATE INDEX district_monitors_user_idx ON district_monitors (user_id);

ALTER TABLE students ADD COLUMN withdrawn_at timestamptz;
ALTER TABLE classrooms ADD COLUMN archived_at timestamptz;

-- A guardianship gives access while it is neither restricted (custody) nor
-- ended (the student withdrawn, the guardian dropped from the roster):
-- grants_access is that rule, in one place, for every query to use.
ALTER TABLE guardianships ADD COLUMN ended_at timestamptz;
-- Why an admin restricted the guardianship (custody, a court order).
ALTER TABLE guardianships ADD COLUMN restricted_reason text CHECK (length(restricted_reason) BETWEEN 1 AND 500);
ALTER TABLE guardianships ADD COLUMN grants_access boolean NOT NULL
    GENERATED ALWAYS AS (NOT restricted AND ended_at IS NULL) STORED;

-- Roster-created people who have not signed in yet hold a placeholder uid
-- ('unclaimed:' and their id) until a sign-in with a verified email or
-- phone the roster holds claims them.
CREATE INDEX users_phone_idx ON users (phone) WHERE phone IS NOT NULL;

-- A person's other sign-ins: when an admin merges two accounts of one
-- person, the merged account's Firebase UID keeps signing in, to the account
-- it was merged into.
CREATE TABLE user_aliases (
    firebase_uid  text PRIMARY KEY CHECK (length(firebase_uid) BETWEEN 1 AND 128),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_aliases_user_idx ON user_aliases (user_id);

CREATE TABLE roster_ids (
    district_id  uuid NOT NULL REFERENCES districts (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments')),
    sourced_id   text NOT NULL CHECK (length(sourced_id) BETWEEN 1 AND 255),
    -- The row it became: a school or district, classroom, student or user;
    -- NULL for sessions, courses and enrollments, which become no row of
    -- their own.
    target_id    uuid,
    -- For a session, its school year's title (classrooms carry it).
    label        text NOT NULL DEFAULT '',
    -- A hash of the fields the import reads: unchanged rows are skipped.
    digest       bytea NOT NULL,
    withdrawn    boolean NOT NULL DEFAULT false,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (district_id, kind, sourced_id)
);
CREATE INDEX roster_ids_target_idx ON roster_ids (target_id) WHERE target_id IS NOT NULL;

-- A OneRoster set arrives as an uploaded zip.
ALTER TABLE uploads DROP CONSTRAINT uploads_content_type_check;
ALTER TABLE uploads ADD CONSTRAINT uploads_content_type_check
    CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf', 'application/zip'));

-- Message monitors read a school's conversations for safeguarding; their
-- reads are audited like staff's.
ALTER TABLE memberships DROP CONSTRAINT memberships_role_check;
ALTER TABLE memberships ADD CONSTRAINT memberships_role_check CHECK (role IN ('PARENT', 'TEACHER', 'ADMIN', 'MONITOR'));
ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_role_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_role_check CHECK (actor_role IN ('ADMIN', 'TEACHER', 'MONITOR', 'SYSTEM'));
-- actor_id is NULL for SYSTEM: the retention job.

-- Retention: a school keeps a student's records N years after they leave
-- (NULL: until deleted by hand); a legal hold, on the school or a student,
-- stops the purge.
ALTER TABLE schools ADD COLUMN retention_years smallint CHECK (retention_years BETWEEN 1 AND 50);
ALTER TABLE schools ADD COLUMN legal_hold boolean NOT NULL DEFAULT false;
ALTER TABLE students ADD COLUMN legal_hold boolean NOT NULL DEFAULT false;
CREATE INDEX students_withdrawn_idx ON students (school_id, withdrawn_at) WHERE withdrawn_at IS NOT NULL;

CREATE TABLE roster_imports (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    district_id      uuid REFERENCES districts (id) ON DELETE CASCADE,
    requested_by_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    upload_id        uuid,
    dry_run          boolean NOT NULL,
    state            text NOT NULL CHECK (state IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    -- Counts by kind and change, and the problems found (file:line: message).
    summary          jsonb NOT NULL DEFAULT '{}',
    problems         jsonb NOT NULL DEFAULT '[]',
    progress         integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
CREATE INDEX roster_imports_district_idx ON roster_imports (district_id, created_at DESC);

-- +goose Down
DROP TABLE roster_imports;
DELETE FROM memberships WHERE role = 'MONITOR';
ALTER TABLE memberships DROP CONSTRAINT memberships_role_check;
ALTER TABLE memberships ADD CONSTRAINT memberships_role_check CHECK (role IN ('PARENT', 'TEACHER', 'ADMIN'));
DROP INDEX students_withdrawn_idx;
ALTER TABLE students DROP COLUMN legal_hold;
ALTER TABLE schools DROP COLUMN legal_hold;
ALTER TABLE schools DROP COLUMN retention_years;
DELETE FROM audit_events WHERE actor_role IN ('MONITOR', 'SYSTEM');
ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_role_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_role_check CHECK (actor_role IN ('ADMIN', 'TEACHER'));
ALTER TABLE uploads DROP CONSTRAINT uploads_content_type_check;
ALTER TABLE uploads ADD CONSTRAINT uploads_content_type_check
    CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf'));
DROP TABLE roster_ids;
DROP TABLE user_aliases;
DROP INDEX users_phone_idx;
ALTER TABLE guardianships DROP COLUMN grants_access;
ALTER TABLE guardianships DROP COLUMN restricted_reason;
ALTER TABLE guardianships DROP COLUMN ended_at;
ALTER TABLE classrooms DROP COLUMN archived_at;
ALTER TABLE students DROP COLUMN withdrawn_at;
DROP TABLE district_monitors;
DROP TABLE district_admins;
DROP INDEX schools_district_idx;
ALTER TABLE schools DROP COLUMN district_id;
DROP TABLE districts;
