-- lockstep's embedded store (SQLite). Times are Unix milliseconds.

CREATE TABLE projects (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    spec        TEXT NOT NULL,          -- ProjectSpec as JSON (already parsed and checked)
    plan        TEXT,                   -- NamePlanView as JSON, once a domain is chosen
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- A wizard run: an ordered list of durable steps.
CREATE TABLE runs (
    id          TEXT PRIMARY KEY NOT NULL,
    project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    input       TEXT NOT NULL,          -- JSON snapshot of what the run acts on (names, zone)
    status      TEXT NOT NULL,          -- active | succeeded | failed
    created_at  INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX runs_project ON runs(project_id, created_at);

CREATE TABLE steps (
    id          TEXT PRIMARY KEY NOT NULL,
    run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL,          -- pending | running | waiting | succeeded | failed
    run_at      INTEGER NOT NULL,       -- not claimable before this time (polling, backoff)
    lease_owner TEXT,
    lease_until INTEGER,
    fence       INTEGER NOT NULL DEFAULT 0,   -- bumped at every claim; completion must present it
    attempts    INTEGER NOT NULL DEFAULT 0,   -- claims so far
    failures    INTEGER NOT NULL DEFAULT 0,   -- consecutive retryable errors (drives backoff)
    note        TEXT,                   -- what the step is doing now, for the timeline
    output      TEXT,                   -- JSON, once succeeded
    error       TEXT,                   -- UserError JSON, once failed
    started_at  INTEGER,
    finished_at INTEGER,
    UNIQUE (run_id, seq)
);
CREATE INDEX steps_claim ON steps(status, run_at);

-- Side effects: the idempotency token / CallerReference for each external call, written
-- BEFORE the call and reused on every retry, and the call's result once known.
CREATE TABLE effects (
    step_id     TEXT NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    token       TEXT NOT NULL,
    result      TEXT,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (step_id, key)
);
