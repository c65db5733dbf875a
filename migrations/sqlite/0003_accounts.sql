-- People, teams and the append-only deployment history (issue 8). Times are Unix milliseconds.
-- Sessions live in tower_sessions, created by tower-sessions-sqlx-store at start.

-- Set once, by the first-run flow: its primary key makes "who is first" one atomic insert.
CREATE TABLE first_run (
    one      INTEGER PRIMARY KEY CHECK (one = 1),
    owner_id TEXT NOT NULL,
    at       INTEGER NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL UNIQUE,     -- trimmed, lower-cased: the sign-in key
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,            -- argon2id PHC string (salt and parameters inside)
    locale        TEXT,                     -- "en" | "ko", the user's own choice
    created_at    INTEGER NOT NULL
);

CREATE TABLE teams (
    id              TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    -- Real AWS access: NULL = the server's credential chain; else a role to assume with
    -- lockstep's external id. No long-lived keys are ever stored.
    aws_role_arn    TEXT,
    aws_external_id TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);

CREATE TABLE memberships (
    team_id   TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role      TEXT NOT NULL,                -- owner | member | viewer
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

-- One-time invite links: only the SHA-256 of the token is kept.
CREATE TABLE invites (
    token_hash TEXT PRIMARY KEY NOT NULL,
    team_id    TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_by    TEXT,
    used_at    INTEGER
);

-- Failed sign-ins, per key ("account:EMAIL" / "address:IP"), for throttling.
CREATE TABLE sign_in_failures (
    key TEXT NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures(key, at);

-- Projects belong to a team (NULL only for projects made before accounts existed: the first
-- owner's team adopts them).
ALTER TABLE projects ADD COLUMN team_id TEXT REFERENCES teams(id);
CREATE INDEX projects_team ON projects(team_id);
-- Who started a run (the audit log names them for the run's AWS calls).
ALTER TABLE runs ADD COLUMN started_by TEXT;

-- The deployment history: every wizard action and every AWS call. Append-only: the database
-- itself refuses updates and deletes. No foreign keys: history outlives a deleted project.
CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    team_id     TEXT,
    project_id  TEXT,
    user_id     TEXT,
    user_name   TEXT,
    run_id      TEXT,
    step        TEXT,
    kind        TEXT NOT NULL,              -- action | aws
    operation   TEXT NOT NULL,              -- e.g. start_backend, acm:RequestCertificate
    summary     TEXT NOT NULL,              -- the request, secrets redacted
    ok          INTEGER NOT NULL,           -- 1 ok, 0 failed or refused
    error_code  TEXT,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX audit_project ON audit(project_id, seq);
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
