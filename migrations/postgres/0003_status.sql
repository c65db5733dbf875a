-- Public status pages (issue 8): one per project when the team opts in, the scheduled checks
-- behind them, and the alerts already sent (its key makes each alert once-only, even when two
-- servers race: the insert that wins sends).

CREATE TABLE status_pages (
    project_id       TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    slug             TEXT NOT NULL UNIQUE,
    public           BIGINT NOT NULL,              -- 1: /status/<slug> is served
    interval_minutes BIGINT NOT NULL,
    -- The alert webhook (a Slack or Discord URL is a bearer secret): encrypted with the
    -- server's secret key, never shown back; the hint is what the page shows ("…/AbCd").
    webhook_cipher   TEXT,
    webhook_hint     TEXT,
    next_check_at    BIGINT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX status_pages_due ON status_pages(next_check_at);

CREATE TABLE status_checks (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id   TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    at           BIGINT NOT NULL,
    ok           BIGINT NOT NULL,
    failing      TEXT,
    not_after    BIGINT
);
CREATE INDEX status_checks_project ON status_checks(project_id, at);

CREATE TABLE alerts_sent (
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    at         BIGINT NOT NULL,
    PRIMARY KEY (project_id, key)
);
