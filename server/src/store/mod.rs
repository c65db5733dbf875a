//! Storage behind one interface.
//!
//! [`Store`] is everything lockstep persists: projects, wizard runs and their durable steps,
//! and the side-effect ledger. The embedded adapter is SQLite ([`sqlite::SqliteStore`]); a
//! PostgreSQL adapter for several servers plugs in behind the same trait, chosen from the
//! database URL. Domain code and server functions only ever see `Arc<dyn Store>`.

pub mod directory;
pub mod postgres;
pub mod sqlite;

pub use directory::{AuditLog, Directory, People, SignIn, StatusPages};

use async_trait::async_trait;
use lockstep_domain::{Message, RunKind, RunStatus, StepDetail, StepKind, StepStatus, UserError};
use serde_json::Value;
use tokio::sync::broadcast;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("unsupported database URL: {0}")]
    Unsupported(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// `url` fit for a message or a log: the password in its user part and the value of any
/// password-like query parameter (`?password=`, `sslpassword=`, `token=`) become `***`. An
/// error about a database URL must not print the secret it carries.
pub fn redacted_url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), url),
    };
    // The last `@`: a password typed unencoded may hold `@`, `/` or `?` itself.
    let (userinfo, tail) = match rest.rsplit_once('@') {
        Some((userinfo, tail)) => match userinfo.split_once(':') {
            Some((user, _password)) => (format!("{user}:***@"), tail),
            None => (format!("{userinfo}@"), tail),
        },
        None => (String::new(), rest),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _))
                        if ["pass", "secret", "token", "key"].iter().any(|s| k.to_ascii_lowercase().contains(s)) =>
                    {
                        format!("{k}=***")
                    }
                    _ => pair.to_string(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}{userinfo}{tail}")
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProjectRow {
    pub id: String,
    pub name: String,
    pub spec: Value,
    pub plan: Option<Value>,
    /// The team the project belongs to (`None` only for projects from before accounts).
    pub team_id: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub id: String,
    pub project_id: String,
    pub kind: RunKind,
    pub input: Value,
    pub status: RunStatus,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    /// The user who started the run.
    pub started_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepRow {
    pub id: String,
    pub run_id: String,
    pub seq: i64,
    pub kind: StepKind,
    pub status: StepStatus,
    pub run_at: i64,
    pub lease_owner: Option<String>,
    pub lease_until: Option<i64>,
    pub fence: i64,
    pub attempts: i64,
    pub failures: i64,
    /// Turns in a row this step was claimed and never ended (see migration 0007).
    pub interrupted: i64,
    pub note: Option<Message>,
    pub output: Option<Value>,
    pub error: Option<UserError>,
    pub detail: Option<StepDetail>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

/// A step as a worker holds it: the fence it must present to change it.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    pub step: StepRow,
    pub project_id: String,
    pub run_input: Value,
    /// Who started the run (its AWS calls are theirs in the history).
    pub started_by: Option<String>,
}

/// One succeeded step's output, with its run.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputRow {
    pub run_id: String,
    pub run_kind: RunKind,
    pub step: StepKind,
    pub finished_at: Option<i64>,
    pub output: Value,
}

pub struct NewRun {
    pub id: String,
    pub project_id: String,
    pub kind: RunKind,
    pub input: Value,
    pub steps: Vec<(String, StepKind)>,
    pub started_by: Option<String>,
}

/// How a worker ends its turn with a step.
#[derive(Debug, Clone, PartialEq)]
pub enum Completion {
    /// Done; the run moves to its next step (or finishes).
    Succeeded { output: Value, note: Option<Message> },
    /// Not ready yet: release the lease, check again at `run_at`.
    Poll { run_at: i64, note: Message },
    /// A temporary error: try again at `run_at`; `failures` counts up.
    Retry { run_at: i64, note: Message },
    /// Stop the run with an error the user must act on.
    Failed { error: UserError },
}

/// A run's kind from the `runs.kind` column (an unknown one is a newer version's run).
pub fn run_kind(key: String) -> StoreResult<RunKind> {
    RunKind::from_key(&key).ok_or_else(|| StoreError::Corrupt(format!("run kind {key}")))
}

/// A step's note as the `note` column (TEXT on both stores) keeps it: the [`Message`] as JSON.
pub fn note_text(note: &Message) -> String {
    serde_json::to_string(note).unwrap_or_else(|_| note.en.clone())
}

/// A step's note from the `note` column. Versions before notes had Korean stored the plain
/// English text: such a note reads as that text in both languages (as it was shown before).
pub fn note_from_text(text: String) -> Message {
    serde_json::from_str(&text).unwrap_or_else(|_| Message { en: text.clone(), ko: text })
}

/// What [`Store::delete_project`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectDeleted {
    Deleted,
    NotFound,
    /// Nothing deleted: a run of the project is active (its in-flight AWS calls would be
    /// orphaned, and its steps would act for a project that no longer exists).
    RunActive,
}

/// A change worth telling live viewers about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunChanged {
    pub run_id: String,
}

#[async_trait]
pub trait Store: Directory + Send + Sync + 'static {
    // Projects.
    async fn insert_project(&self, row: &ProjectRow) -> StoreResult<()>;
    async fn list_projects(&self) -> StoreResult<Vec<ProjectRow>>;
    /// Projects of every team the user is a member of, newest first.
    async fn projects_of_user(&self, user_id: &str) -> StoreResult<Vec<ProjectRow>>;
    async fn get_project(&self, id: &str) -> StoreResult<Option<ProjectRow>>;
    /// Deletes the project and its runs; `false` when there was none.
    /// Deletes the project unless one of its runs is active (one statement: a run started
    /// between a check and the delete cannot be orphaned).
    async fn delete_project(&self, id: &str) -> StoreResult<ProjectDeleted>;
    async fn set_plan(&self, id: &str, plan: &Value, now: i64) -> StoreResult<bool>;
    /// The backend path chosen in the wizard (`free` / `paid`), `None` before the choice.
    async fn backend_path(&self, id: &str) -> StoreResult<Option<String>>;
    /// Saves the wizard's path choice; `false` when there is no such project.
    async fn set_backend_path(&self, id: &str, path: &str, now: i64) -> StoreResult<bool>;
    /// [`Store::set_plan`] by a step: written only while `step_id` is still held with `fence`
    /// (`false` when the worker is stale or the project is gone).
    async fn set_plan_fenced(&self, id: &str, plan: &Value, step_id: &str, fence: i64, now: i64) -> StoreResult<bool>;

    // Runs.
    async fn create_run(&self, run: &NewRun, now: i64) -> StoreResult<()>;
    async fn get_run(&self, id: &str) -> StoreResult<Option<(RunRow, Vec<StepRow>)>>;
    async fn latest_run(&self, project_id: &str, kind: RunKind) -> StoreResult<Option<(RunRow, Vec<StepRow>)>>;
    /// Outputs of the run's succeeded steps, by kind.
    async fn run_outputs(&self, run_id: &str) -> StoreResult<Vec<(StepKind, Value)>>;
    /// Every succeeded step's output of a project, oldest first (the ledger of what lockstep
    /// created is read from the `created` lists in them).
    async fn project_outputs(&self, project_id: &str) -> StoreResult<Vec<OutputRow>>;

    // The job queue.
    /// Atomically claims the next due step whose earlier steps have all succeeded and whose
    /// lease (if any) has expired: sets a new lease and bumps the fence.
    async fn claim(&self, worker: &str, now: i64, lease_ms: i64) -> StoreResult<Option<Claimed>>;
    /// Extends the lease; `false` when the fence no longer matches (the step was re-claimed).
    async fn heartbeat(&self, step_id: &str, fence: i64, lease_until: i64) -> StoreResult<bool>;
    /// Updates the step's note (fenced).
    async fn set_note(&self, step_id: &str, fence: i64, note: &Message) -> StoreResult<bool>;
    /// Updates the step's structured detail (fenced).
    async fn set_detail(&self, step_id: &str, fence: i64, detail: &StepDetail) -> StoreResult<bool>;
    /// Makes every waiting step of the run due now ("check again").
    async fn poll_now(&self, run_id: &str, now: i64) -> StoreResult<bool>;
    /// Ends the worker's turn (fenced): `false` means a stale worker, and nothing changed.
    async fn complete(&self, step_id: &str, fence: i64, completion: &Completion, now: i64) -> StoreResult<bool>;
    /// Drops every lease a worker holds so another can claim at once (graceful drain).
    async fn release_leases(&self, worker: &str) -> StoreResult<u64>;
    /// Drops every lease (single-server start-up after a crash, with the data dir locked).
    /// Never called at start on a shared store: other servers hold live leases.
    async fn release_all_leases(&self) -> StoreResult<u64>;
    /// Puts a failed step back in the queue and re-activates its run.
    async fn retry_failed(&self, run_id: &str, now: i64) -> StoreResult<bool>;
    /// Stops an active run: its first unfinished step fails with `error` (so Retry resumes it
    /// where it stopped) and its fence moves on, so a worker still running it can write
    /// nothing more. `false` when the run was not active.
    async fn cancel_run(&self, run_id: &str, error: &UserError, now: i64) -> StoreResult<bool>;
    /// Counts steps that are not finished (for readiness and benchmarks).
    async fn unfinished_steps(&self) -> StoreResult<i64>;

    // Side effects.
    /// Returns the token for `(step, key)`, storing `fresh` first if there was none. The token
    /// is durable before this returns, so the external call it guards can safely follow.
    async fn effect_token(&self, step_id: &str, key: &str, fresh: &str, now: i64) -> StoreResult<(String, i64)>;
    async fn effect_result(&self, step_id: &str, key: &str) -> StoreResult<Option<Value>>;
    /// Records the call's result (fenced).
    async fn record_effect(&self, step_id: &str, fence: i64, key: &str, result: &Value) -> StoreResult<bool>;

    /// Live change notifications (in-process for SQLite; for PostgreSQL, changes made by any
    /// server, through LISTEN/NOTIFY).
    fn subscribe(&self) -> broadcast::Receiver<RunChanged>;
    /// The session store on the same database (tower-sessions), its table already made.
    fn sessions(&self) -> crate::auth::SessionBackend;
    /// `true` when the database answers and migrations are applied.
    async fn ready(&self) -> bool;
}

#[cfg(test)]
mod tests {
    use super::*;
    use lockstep_domain::msg;

    #[test]
    fn database_urls_lose_their_passwords() {
        let cases = [
            ("mysql://root:hunter2@db.internal:3306/lockstep", "mysql://root:***@db.internal:3306/lockstep"),
            ("postgress://app:p%40ss:word@db/x?sslmode=require", "postgress://app:***@db/x?sslmode=require"),
            (
                "postgres://app@db/x?password=hunter2&sslmode=disable",
                "postgres://app@db/x?password=***&sslmode=disable",
            ),
            ("root:hunter2@db/x", "root:***@db/x"),
            ("mysql://root:s3/cr?t@db/x", "mysql://root:***@db/x"),
            ("sqlite:///var/lib/lockstep/lockstep.db", "sqlite:///var/lib/lockstep/lockstep.db"),
            ("postgres://db.internal/x", "postgres://db.internal/x"),
        ];
        for (url, want) in cases {
            let shown = redacted_url(url);
            assert_eq!(shown, want, "{url}");
            assert!(!shown.contains("hunter2") && !shown.contains("word@") && !shown.contains("s3/cr"), "{shown}");
        }
    }

    #[test]
    fn a_note_round_trips_through_its_column() {
        let note = msg(
            "ACM says PENDING_VALIDATION: it is looking up the validation record.",
            "ACM 상태는 PENDING_VALIDATION입니다. 검증 레코드를 조회하고 있습니다.",
        );
        let text = note_text(&note);
        assert!(text.starts_with('{'), "stored as JSON: {text}");
        assert_eq!(note_from_text(text), note);
        // Quotes, backslashes and line breaks survive too.
        let odd = msg("a \"quoted\" \\ path\nnext", "줄\n바꿈");
        assert_eq!(note_from_text(note_text(&odd)), odd);
    }

    #[test]
    fn a_plain_note_from_an_older_version_reads_as_itself_in_both_languages() {
        let old = "ACM says ISSUED".to_string();
        assert_eq!(note_from_text(old.clone()), msg(old.clone(), old));
        // Text that happens to be JSON, but not a message, is plain text too.
        for text in ["{}", "\"quoted\"", "42", "{\"en\":\"only English\"}", ""] {
            assert_eq!(note_from_text(text.to_string()), msg(text, text), "{text}");
        }
    }
}
