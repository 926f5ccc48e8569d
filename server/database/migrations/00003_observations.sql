-- +goose Up
-- Observations and positive notes by staff, parents' acknowledgements,
-- responses and home insights, coaching reviews, and the record of
-- client mutation ids that makes a retried post write nothing new.

CREATE TABLE observations (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_id             uuid NOT NULL,
    student_id            uuid NOT NULL,
    author_id             uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- One note posted to several students: one row each, one group.
    group_id              uuid NOT NULL,
    kind                  text NOT NULL CHECK (kind IN ('POSITIVE', 'OBSERVATION', 'CONCERN')),
    body                  text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    skills                text[] NOT NULL DEFAULT '{}',
    state                 text NOT NULL CHECK (state IN ('DRAFT', 'IN_REVIEW', 'SHARED', 'STAFF_ONLY')),
    edited_after_sharing  boolean NOT NULL DEFAULT false,
    shared_at             timestamptz,
    -- What feeds sort by: when it was shared, else when it was written.
    feed_at               timestamptz NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, school_id),
    FOREIGN KEY (student_id, school_id) REFERENCES students (id, school_id) ON DELETE CASCADE
);
CREATE INDEX observations_shared_feed_idx ON observations (student_id, feed_at DESC, id DESC) WHERE state = 'SHARED';
CREATE INDEX observations_student_idx ON observations (student_id, feed_at DESC, id DESC);
CREATE INDEX observations_review_idx ON observations (school_id, feed_at DESC) WHERE state = 'IN_REVIEW';
CREATE INDEX observations_author_idx ON observations (author_id, feed_at DESC);

CREATE TABLE observation_reviews (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    observation_id  uuid NOT NULL REFERENCES observations (id) ON DELETE CASCADE,
    reviewer_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    decision        text NOT NULL CHECK (decision IN ('REQUESTED', 'APPROVED', 'RETURNED')),
    comment         text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX observation_reviews_observation_idx ON observation_reviews (observation_id, created_at);

CREATE TABLE acknowledgements (
    observation_id  uuid NOT NULL REFERENCES observations (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reaction        text CHECK (reaction IN ('HEART', 'THANKS', 'CELEBRATE', 'SMILE')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (observation_id, user_id)
);

CREATE TABLE observation_responses (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    observation_id  uuid NOT NULL REFERENCES observations (id) ON DELETE CASCADE,
    author_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body            text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX observation_responses_observation_idx ON observation_responses (observation_id, created_at);

CREATE TABLE home_insights (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_id   uuid NOT NULL,
    student_id  uuid NOT NULL,
    author_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    skills      text[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (student_id, school_id) REFERENCES students (id, school_id) ON DELETE CASCADE
);
CREATE INDEX home_insights_student_idx ON home_insights (student_id, created_at DESC, id DESC);

-- A mutation a phone may retry: the first result, by (user, operation, id).
CREATE TABLE client_mutations (
    user_id             uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    operation           text NOT NULL,
    client_mutation_id  text NOT NULL CHECK (length(client_mutation_id) BETWEEN 1 AND 64),
    result              jsonb NOT NULL DEFAULT '{}',
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, operation, client_mutation_id)
);

-- +goose Down
DROP TABLE client_mutations;
DROP TABLE home_insights;
DROP TABLE observation_responses;
DROP TABLE acknowledgements;
DROP TABLE observation_reviews;
DROP TABLE observations;
