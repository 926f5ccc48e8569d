-- +goose Up
-- A user's access version: a number that grows whenever anything a sign-in
-- reads for them changes, in the transaction that changes it. An instance
-- keeps the viewer it signed in with the version it read, and a request's
-- own statement can check that the version is still the same (in its own
-- snapshot) instead of signing in again in a statement of its own; a
-- different version, and the instance signs in again (package auth).
--
-- What a sign-in reads, and what bumps the version here:
--   - the user's row (any update of it);
--   - their memberships, district admin and monitor roles, and the schools
--     of those districts (a school added to a district, or moved out);
--   - the sign-ins that lead to them (user_aliases);
--   - whether a roster record waits to be claimed: a placeholder user
--     ('unclaimed:…') written with an email or phone that is theirs.
ALTER TABLE users ADD COLUMN access_version bigint NOT NULL DEFAULT 0;

-- +goose StatementBegin
CREATE FUNCTION users_access_version_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.access_version = OLD.access_version THEN
        NEW.access_version := OLD.access_version + 1;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER users_access_version BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION users_access_version_row();

-- bump_access_versions bumps the users ids names, locked in key order as
-- every other writer of many users locks them. Placeholders are left alone:
-- no one signs in as one (a roster import gives thousands of them their
-- memberships).
CREATE FUNCTION bump_access_versions(ids uuid[]) RETURNS void LANGUAGE sql AS $$
    UPDATE users u SET access_version = u.access_version + 1 FROM (
        SELECT id FROM users WHERE id = ANY(ids) AND firebase_uid NOT LIKE 'unclaimed:%'
        ORDER BY id FOR NO KEY UPDATE) k
    WHERE u.id = k.id
$$;

-- bump_access_version bumps the users a statement's rows name: its
-- argument is the column of the changed rows (the transition table
-- "changed": inserted, deleted, or either side of an update) that names
-- them.
-- +goose StatementBegin
CREATE FUNCTION bump_access_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SELECT bump_access_versions(ARRAY(SELECT %I FROM changed))', TG_ARGV[0]);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- An alias leads a sign-in to its user; the user whose own uid it names is
-- bumped too (the sign-in reads both).
-- +goose StatementBegin
CREATE FUNCTION user_aliases_access_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bump_access_versions(ARRAY(SELECT id FROM users WHERE id IN (SELECT user_id FROM changed)
        OR firebase_uid IN (SELECT firebase_uid FROM changed)));
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- A school joining or leaving a district changes the memberships its
-- district's admins and monitors are given. (Transition tables cannot
-- go with UPDATE OF a column: any update of a school in a district bumps
-- its district's staff, and schools are rarely updated.)
-- +goose StatementBegin
CREATE FUNCTION schools_access_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM changed WHERE district_id IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    PERFORM bump_access_versions(ARRAY(
        SELECT user_id FROM district_admins WHERE district_id IN (SELECT district_id FROM changed)
        UNION SELECT user_id FROM district_monitors WHERE district_id IN (SELECT district_id FROM changed)));
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- Each table's rows bump through its function: four statement triggers a
-- table (a trigger with a transition table has one event, and an update
-- has rows on both sides).
-- +goose StatementBegin
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('memberships', 'bump_access_version(''user_id'')'),
        ('district_admins', 'bump_access_version(''user_id'')'),
        ('district_monitors', 'bump_access_version(''user_id'')'),
        ('user_aliases', 'user_aliases_access_version()'),
        ('schools', 'schools_access_version()')) AS v (tab, fn)
    LOOP
        EXECUTE format('CREATE TRIGGER %1$s_access_insert AFTER INSERT ON %1$I
            REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION %2$s', t.tab, t.fn);
        EXECUTE format('CREATE TRIGGER %1$s_access_update_new AFTER UPDATE ON %1$I
            REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION %2$s', t.tab, t.fn);
        EXECUTE format('CREATE TRIGGER %1$s_access_update_old AFTER UPDATE ON %1$I
            REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION %2$s', t.tab, t.fn);
        EXECUTE format('CREATE TRIGGER %1$s_access_delete AFTER DELETE ON %1$I
            REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION %2$s', t.tab, t.fn);
    END LOOP;
END $$;
-- +goose StatementEnd

-- A placeholder written with an email or phone number bumps the users who
-- hold it (a sign-in with it would claim the placeholder's record). A
-- statement trigger fires even for no rows, and the bumps above update
-- users: only a statement that wrote a placeholder goes on.
-- +goose StatementBegin
CREATE FUNCTION placeholders_access_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM changed WHERE firebase_uid LIKE 'unclaimed:%') THEN
        RETURN NULL;
    END IF;
    PERFORM bump_access_versions(ARRAY(SELECT id FROM users WHERE
        lower(email) IN (SELECT lower(email) FROM changed WHERE firebase_uid LIKE 'unclaimed:%' AND email IS NOT NULL)
        OR phone IN (SELECT phone FROM changed WHERE firebase_uid LIKE 'unclaimed:%' AND phone IS NOT NULL)));
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER users_placeholders_access_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION placeholders_access_version();
CREATE TRIGGER users_placeholders_access_update AFTER UPDATE ON users
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION placeholders_access_version();

-- +goose Down
DROP TRIGGER users_placeholders_access_update ON users;
DROP TRIGGER users_placeholders_access_insert ON users;
DROP FUNCTION placeholders_access_version();
-- +goose StatementBegin
DO $$
DECLARE
    tab text;
BEGIN
    FOREACH tab IN ARRAY ARRAY['memberships', 'district_admins', 'district_monitors', 'user_aliases', 'schools'] LOOP
        EXECUTE format('DROP TRIGGER %1$s_access_insert ON %1$I', tab);
        EXECUTE format('DROP TRIGGER %1$s_access_update_new ON %1$I', tab);
        EXECUTE format('DROP TRIGGER %1$s_access_update_old ON %1$I', tab);
        EXECUTE format('DROP TRIGGER %1$s_access_delete ON %1$I', tab);
    END LOOP;
END $$;
-- +goose StatementEnd
DROP FUNCTION schools_access_version();
DROP FUNCTION user_aliases_access_version();
DROP FUNCTION bump_access_version();
DROP FUNCTION bump_access_versions(uuid[]);
DROP TRIGGER users_access_version ON users;
DROP FUNCTION users_access_version_row();
ALTER TABLE users DROP COLUMN access_version;
