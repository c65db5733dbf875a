-- Account safety (issue 19): the same schema change as
-- migrations/sqlite/0006_account_safety.sql in PostgreSQL types. Times are Unix milliseconds.

-- Throttling counters, one row per key: an attempt is counted by one upsert that returns the
-- new count (INSERT ... ON CONFLICT DO UPDATE locks the row, so parallel attempts each get
-- their own number). They replace sign_in_failures (check-then-act).
CREATE TABLE attempt_counters (
    key          TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    attempts     BIGINT NOT NULL
);
CREATE INDEX attempt_counters_window ON attempt_counters(window_start);
DROP TABLE sign_in_failures;

-- Sessions carry the epoch they were signed in at; a password change or reset raises it.
ALTER TABLE users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    team_id    TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX password_resets_user ON password_resets(user_id);
