-- Account safety (issue 19): atomic throttling, password changes and owner-made reset links.
-- Times are Unix milliseconds.

-- Throttling counters, one row per key ("sign-in:account:EMAIL", "sign-in:address:IP",
-- "sign-up:address:IP"): an attempt is counted by one upsert that returns the new count, so
-- parallel attempts each get their own number. They replace sign_in_failures, whose
-- read-the-count-then-record-a-failure let parallel guesses past the limit.
CREATE TABLE attempt_counters (
    key          TEXT PRIMARY KEY NOT NULL,
    window_start INTEGER NOT NULL,          -- when this window's first attempt came
    attempts     INTEGER NOT NULL           -- attempts counted since then
);
CREATE INDEX attempt_counters_window ON attempt_counters(window_start);
DROP TABLE sign_in_failures;

-- Sessions carry the epoch they were signed in at; a password change or reset raises it, and
-- every session with an older epoch is signed out.
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;

-- One-time password reset links an owner makes for a member: only the SHA-256 of the token
-- is kept, like invites.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    team_id    TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX password_resets_user ON password_resets(user_id);
