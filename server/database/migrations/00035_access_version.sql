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
-- argument is the rows' column that names them, the rows the transition
-- tables changed (on insert, on delete) or both (on update).
-- +goose StatementBegin
CREATE FUNCTION bump_access_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        EXECUTE format('SELECT bump_access_versions(ARRAY(SELECT %I FROM changed_new))', TG_ARGV[0]);
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        EXECUTE format('SELECT bump_access_versions(ARRAY(SELECT %I FROM changed_old))', TG_ARGV[0]);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER memberships_access_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version('user_id');
CREATE TRIGGER memberships_access_update AFTER UPDATE ON memberships
    REFERENCING NEW TABLE AS changed_new OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version('user_id');
CREATE TRIGGER memberships_access_delete AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version('user_id');

CREATE TRIGGER district_admins_access_insert AFTER INSERT ON district_admins
    REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version('user_id');
CREATE TRIGGER district_admins_access_update AFTER UPDATE ON district_admins
    REFERENCING NEW TABLE AS changed_new OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version('user_id');
CREATE TRIGGER district_admins_access_delete AFTER DELETE ON district_admins
    REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version('user_id');

CREATE TRIGGER district_monitors_access_insert AFTER INSERT ON district_monitors
    REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version('user_id');
CREATE TRIGGER district_monitors_access_update AFTER UPDATE ON district_monitors
    REFERENCING NEW TABLE AS changed_new OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version('user_id');
CREATE TRIGGER district_monitors_access_delete AFTER DELETE ON district_monitors
    REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version('user_id');

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
CREATE TRIGGER user_aliases_access_insert AFTER INSERT ON user_aliases
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION user_aliases_access_version();
CREATE TRIGGER user_aliases_access_update_new AFTER UPDATE ON user_aliases
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION user_aliases_access_version();
CREATE TRIGGER user_aliases_access_update_old AFTER UPDATE ON user_aliases
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION user_aliases_access_version();
CREATE TRIGGER user_aliases_access_delete AFTER DELETE ON user_aliases
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION user_aliases_access_version();

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
CREATE TRIGGER schools_access_insert AFTER INSERT ON schools
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION schools_access_version();
CREATE TRIGGER schools_access_update_new AFTER UPDATE ON schools
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION schools_access_version();
CREATE TRIGGER schools_access_update_old AFTER UPDATE ON schools
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION schools_access_version();
CREATE TRIGGER schools_access_delete AFTER DELETE ON schools
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION schools_access_version();

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
DROP TRIGGER schools_access_delete ON schools;
DROP TRIGGER schools_access_update_old ON schools;
DROP TRIGGER schools_access_update_new ON schools;
DROP TRIGGER schools_access_insert ON schools;
DROP FUNCTION schools_access_version();
DROP TRIGGER user_aliases_access_delete ON user_aliases;
DROP TRIGGER user_aliases_access_update_old ON user_aliases;
DROP TRIGGER user_aliases_access_update_new ON user_aliases;
DROP TRIGGER user_aliases_access_insert ON user_aliases;
DROP FUNCTION user_aliases_access_version();
DROP TRIGGER district_monitors_access_delete ON district_monitors;
DROP TRIGGER district_monitors_access_update ON district_monitors;
DROP TRIGGER district_monitors_access_insert ON district_monitors;
DROP TRIGGER district_admins_access_delete ON district_admins;
DROP TRIGGER district_admins_access_update ON district_admins;
DROP TRIGGER district_admins_access_insert ON district_admins;
DROP TRIGGER memberships_access_delete ON memberships;
DROP TRIGGER memberships_access_update ON memberships;
DROP TRIGGER memberships_access_insert ON memberships;
DROP FUNCTION bump_access_version();
DROP FUNCTION bump_access_versions(uuid[]);
DROP TRIGGER users_access_version ON users;
DROP FUNCTION users_access_version_row();
ALTER TABLE users DROP COLUMN access_version;
