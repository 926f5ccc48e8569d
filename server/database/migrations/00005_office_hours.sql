-- +goose Up
-- Staff office hours: weekly windows, wall-clock times in the user's time
-- zone (users.time_zone), in which they answer messages. Outside them a
-- sender is told when to expect an answer and the staff member's message
-- pushes wait for the next window (urgent ones excepted).
CREATE TABLE office_hours (
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    weekday       smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6), -- 0 is Sunday
    start_minute  smallint NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute    smallint NOT NULL CHECK (end_minute BETWEEN 1 AND 1439),
    CHECK (start_minute < end_minute),
    PRIMARY KEY (user_id, weekday, start_minute)
);

-- +goose Down
DROP TABLE office_hours;
