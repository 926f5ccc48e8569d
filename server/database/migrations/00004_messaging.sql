-- +goose Up
-- Conversations between families and school. Every message takes the next
-- sequence number of its conversation (under the conversation's row lock),
-- and a participant's read state is the last sequence they have read, so
-- unread counts stay exact however many people write and read at once.

CREATE TABLE conversations (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_id        uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    -- The student it is about; NULL for a general conversation.
    student_id       uuid,
    subject          text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    created_by_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_seq         bigint NOT NULL DEFAULT 0,
    last_message_at  timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (student_id, school_id) REFERENCES students (id, school_id) ON DELETE CASCADE
);

CREATE TABLE conversation_participants (
    conversation_id  uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_read_seq    bigint NOT NULL DEFAULT 0,
    muted            boolean NOT NULL DEFAULT false,
    joined_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_participants_user_idx ON conversation_participants (user_id);

CREATE TABLE messages (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id  uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq              bigint NOT NULL,
    sender_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body             text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
    urgent           boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (conversation_id, seq)
);

-- +goose Down
DROP TABLE messages;
DROP TABLE conversation_participants;
DROP TABLE conversations;
