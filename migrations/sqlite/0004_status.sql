-- Public status pages (issue 8): one per project when the team opts in, the scheduled checks
-- behind them, and the alerts already sent (its key makes each alert once-only, even when two
-- servers race: the insert that wins sends).

CREATE TABLE status_pages (
    project_id       TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    slug             TEXT NOT NULL UNIQUE,
    public           INTEGER NOT NULL,              -- 1: /status/<slug> is served
    interval_minutes INTEGER NOT NULL,
    -- The alert webhook (a Slack or Discord URL is a bearer secret): encrypted with the
    -- server's secret key, never shown back; the hint is what the page shows ("…/AbCd").
    webhook_cipher   TEXT,
    webhook_hint     TEXT,
    next_check_at    INTEGER NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX status_pages_due ON status_pages(next_check_at);

CREATE TABLE status_checks (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id   TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    at           INTEGER NOT NULL,
    ok           INTEGER NOT NULL,
    failing      TEXT,
    not_after    INTEGER
);
CREATE INDEX status_checks_project ON status_checks(project_id, at);

CREATE TABLE alerts_sent (
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (project_id, key)
);
