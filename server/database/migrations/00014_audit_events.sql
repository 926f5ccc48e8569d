-- +goose Up
-- Who on the staff read or changed which student's records, and when.
-- Admins query it per school. A family's deletion keeps the staff's
-- actions but unlinks them from the deleted child (student_id, item_id
-- set to NULL); a deleted account leaves actor_id NULL.
CREATE TABLE audit_events (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_id   uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    actor_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    actor_role  text NOT NULL CHECK (actor_role IN ('ADMIN', 'TEACHER')),
    action      text NOT NULL CHECK (action IN ('READ', 'WRITE')),
    operation   text NOT NULL CHECK (length(operation) BETWEEN 1 AND 64),
    student_id  uuid,
    item_id     uuid,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_school_idx ON audit_events (school_id, at DESC, id DESC);
CREATE INDEX audit_events_student_idx ON audit_events (student_id, at DESC, id DESC) WHERE student_id IS NOT NULL;
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, at DESC, id DESC);

-- +goose Down
DROP TABLE audit_events;
