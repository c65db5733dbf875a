-- lockstep's shared store (PostgreSQL): the same schema as migrations/sqlite, in PostgreSQL
-- types. Times are Unix milliseconds (BIGINT); JSON documents are JSONB.

CREATE TABLE projects (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    spec        JSONB NOT NULL,         -- ProjectSpec (already parsed and checked)
    plan        JSONB,                  -- NamePlanView, once a domain is chosen
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- A wizard run: an ordered list of durable steps.
CREATE TABLE runs (
    id          TEXT PRIMARY KEY,
    -- Insertion order, the tie-breaker for "latest run" (SQLite uses its rowid).
    ordinal     BIGINT GENERATED ALWAYS AS IDENTITY,
    project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    input       JSONB NOT NULL,         -- snapshot of what the run acts on (names, zone)
    status      TEXT NOT NULL,          -- active | succeeded | failed
    created_at  BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX runs_project ON runs(project_id, created_at);

CREATE TABLE steps (
    id          TEXT PRIMARY KEY,
    run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq         BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL,          -- pending | running | waiting | succeeded | failed
    run_at      BIGINT NOT NULL,        -- not claimable before this time (polling, backoff)
    lease_owner TEXT,
    lease_until BIGINT,
    fence       BIGINT NOT NULL DEFAULT 0,   -- bumped at every claim; completion must present it
    attempts    BIGINT NOT NULL DEFAULT 0,   -- claims so far
    failures    BIGINT NOT NULL DEFAULT 0,   -- consecutive retryable errors (drives backoff)
    note        TEXT,                   -- what the step is doing now, for the timeline
    output      JSONB,                  -- once succeeded
    error       JSONB,                  -- UserError, once failed
    detail      JSONB,                  -- StepDetail: structured progress beside the note
    started_at  BIGINT,
    finished_at BIGINT,
    UNIQUE (run_id, seq)
);
CREATE INDEX steps_claim ON steps(status, run_at);

-- Side effects: the idempotency token / CallerReference for each external call, written
-- BEFORE the call and reused on every retry, and the call's result once known.
CREATE TABLE effects (
    step_id     TEXT NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    token       TEXT NOT NULL,
    result      JSONB,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (step_id, key)
);

-- Live progress across servers: every change a viewer can see is announced on the channel
-- 'lockstep_runs' with the run id as payload. Every server LISTENs and feeds its live views
-- (several changes in one transaction are delivered once, at commit). Heartbeats (which only
-- move lease_until) stay silent.
CREATE FUNCTION lockstep_notify_run() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'runs' THEN
        PERFORM pg_notify('lockstep_runs', NEW.id);
    ELSE
        PERFORM pg_notify('lockstep_runs', NEW.run_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER runs_changed AFTER INSERT OR UPDATE OF status ON runs
    FOR EACH ROW EXECUTE FUNCTION lockstep_notify_run();

CREATE TRIGGER steps_inserted AFTER INSERT ON steps
    FOR EACH ROW EXECUTE FUNCTION lockstep_notify_run();

CREATE TRIGGER steps_changed AFTER UPDATE ON steps
    FOR EACH ROW
    WHEN ((OLD.status, OLD.fence, OLD.run_at, OLD.note, OLD.detail, OLD.output, OLD.error)
          IS DISTINCT FROM (NEW.status, NEW.fence, NEW.run_at, NEW.note, NEW.detail, NEW.output, NEW.error))
    EXECUTE FUNCTION lockstep_notify_run();
