-- +goose Up
-- Articles and links a school curates for parents, by topic and, when
-- grades is not empty, for those grades only.
CREATE TABLE resources (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_id      uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    url            text NOT NULL CHECK (url LIKE 'https://%' AND length(url) <= 1000),
    summary        text NOT NULL DEFAULT '' CHECK (length(summary) <= 1000),
    topic          text NOT NULL,
    grades         text[] NOT NULL DEFAULT '{}',
    created_by_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX resources_school_idx ON resources (school_id, created_at DESC);

-- +goose Down
DROP TABLE resources;
