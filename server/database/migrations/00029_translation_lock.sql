-- +goose Up
-- A translation job takes its text and language's advisory lock, then reads
-- what is there (a burst of identical texts calls the provider once). Two
-- statements, two round trips, for every job of every message: the read
-- must see what the lock's last holder committed, so it could not share the
-- lock's statement (whose snapshot is older than the wait). A VOLATILE
-- function's every query takes a fresh snapshot: in here the read comes
-- after the wait, in one call.
-- +goose StatementBegin
CREATE FUNCTION translation_lock(lock_key bigint, text_hash bytea)
RETURNS TABLE (target text, source text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN QUERY SELECT t.target, t.source FROM translations t WHERE t.hash = text_hash;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION translation_lock(bigint, bytea);
