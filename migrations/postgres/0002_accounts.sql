-- People, teams and the append-only deployment history (issue 8): the same schema as
-- migrations/sqlite/0003_accounts.sql in PostgreSQL types. Times are Unix milliseconds.
-- Sessions live in tower_sessions.session, created by tower-sessions-sqlx-store at start.

-- Set once, by the first-run flow: its primary key makes "who is first" one atomic insert.
CREATE TABLE first_run (
    one      INTEGER PRIMARY KEY CHECK (one = 1),
    owner_id TEXT NOT NULL,
    at       BIGINT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    locale        TEXT,
    created_at    BIGINT NOT NULL
);

CREATE TABLE teams (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    aws_role_arn    TEXT,
    aws_external_id TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);

CREATE TABLE memberships (
    team_id   TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role      TEXT NOT NULL,
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE invites (
    token_hash TEXT PRIMARY KEY,
    team_id    TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_by    TEXT,
    used_at    BIGINT
);

CREATE TABLE sign_in_failures (
    key TEXT NOT NULL,
    at  BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures(key, at);

ALTER TABLE projects ADD COLUMN team_id TEXT REFERENCES teams(id);
CREATE INDEX projects_team ON projects(team_id);
ALTER TABLE runs ADD COLUMN started_by TEXT;

CREATE TABLE audit (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          BIGINT NOT NULL,
    team_id     TEXT,
    project_id  TEXT,
    user_id     TEXT,
    user_name   TEXT,
    run_id      TEXT,
    step        TEXT,
    kind        TEXT NOT NULL,
    operation   TEXT NOT NULL,
    summary     TEXT NOT NULL,
    ok          BIGINT NOT NULL,
    error_code  TEXT,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX audit_project ON audit(project_id, seq);
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
