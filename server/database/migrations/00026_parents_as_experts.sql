-- +goose Up
-- Notes that suggest a next step, and parents as experts on their child.
--
-- A note can carry one concrete thing to try at home (try_at_home); a
-- guardian answers "we tried it" with a word on how it went, one answer per
-- guardian and note (a second replaces the first). Home insights get a kind
-- beside their free text. "About my child" is a profile each household
-- keeps in its own words; the child's current staff read it.

ALTER TABLE observations ADD COLUMN try_at_home text NOT NULL DEFAULT '' CHECK (length(try_at_home) <= 500);

CREATE TABLE try_at_home_answers (
    observation_id  uuid NOT NULL REFERENCES observations (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    school_id       uuid NOT NULL,
    student_id      uuid NOT NULL,
    body            text NOT NULL DEFAULT '' CHECK (length(body) <= 1000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (observation_id, user_id),
    FOREIGN KEY (student_id, school_id) REFERENCES students (id, school_id) ON DELETE CASCADE
);
CREATE INDEX try_at_home_answers_student_idx ON try_at_home_answers (student_id);

ALTER TABLE home_insights ADD COLUMN kind text CHECK (kind IN ('STRENGTH', 'WHAT_WORKS', 'WORRY', 'GOAL'));

CREATE TABLE child_profiles (
    student_id     uuid NOT NULL,
    school_id      uuid NOT NULL,
    household      text NOT NULL DEFAULT '',
    strengths      text NOT NULL DEFAULT '' CHECK (length(strengths) <= 2000),
    what_works     text NOT NULL DEFAULT '' CHECK (length(what_works) <= 2000),
    worries        text NOT NULL DEFAULT '' CHECK (length(worries) <= 2000),
    goals          text NOT NULL DEFAULT '' CHECK (length(goals) <= 2000),
    updated_by_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (student_id, household),
    FOREIGN KEY (student_id, school_id) REFERENCES students (id, school_id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE child_profiles;
ALTER TABLE home_insights DROP COLUMN kind;
DROP TABLE try_at_home_answers;
ALTER TABLE observations DROP COLUMN try_at_home;
