//! What travels between the browser and the server, besides the domain's own types.

use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::codec::JsonEncoding;
use lockstep_domain::account::{FieldProblem, Role};
use lockstep_domain::contact::ContactErrors;
use lockstep_domain::plan::{MagicProvider, NamePlan, PlanErrors};
use lockstep_domain::{FieldErrors, Message, ProjectSpec, RunView, UserError};
use serde::{Deserialize, Serialize};

/// Which AWS lockstep is talking to; shown as a banner on every page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvInfo {
    /// `true` when every AWS call goes to the local emulator and nothing real is created.
    pub sandbox: bool,
    /// The AWS account id (from STS), when known.
    pub account_id: Option<String>,
    /// Sandbox only: the id of the demo EC2 instance the sandbox made (for the new-project form).
    #[serde(default)]
    pub demo_instance: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSummary {
    pub id: String,
    pub name: String,
    /// The team the project belongs to, and the caller's role in it.
    pub team_name: String,
    pub role: Role,
    pub region: String,
    pub zone_name: Option<String>,
    pub created_at: i64,
}

/// The zone the sandbox's stand-in for the demo instance serves (`lab/lab.sh`): a project in it
/// ends the free path on a real HTTPS check (README "The sandbox's free path on a real stand-in").
pub const SANDBOX_LAB_ZONE: &str = "student.test";

/// A Route 53 hosted zone the user can pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneChoice {
    pub id: String,
    pub name: String,
    pub private: bool,
    pub record_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectView {
    pub id: String,
    pub team_id: String,
    pub team_name: String,
    /// The caller's role in the project's team (the page hides what the role cannot do;
    /// the server refuses it anyway).
    pub role: Role,
    pub spec: ProjectSpec,
    pub plan: Option<NamePlan>,
    /// The instance's public IPv4 address, when known (typed in, or read from EC2).
    pub public_ip: Option<String>,
    pub created_at: i64,
    /// The stepper: the chosen path, each step's state and one-line result (issue 22).
    #[serde(default)]
    pub wizard: lockstep_domain::wizard::Wizard,
    /// The public status page's slug and whether it is on (the "Verified" screen's badge).
    #[serde(default)]
    pub status_slug: Option<(String, bool)>,
}

/// The answer to "take this path" (free or paid) in the wizard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PathOutcome {
    /// Saved: the stepper as it is now (a teardown of the other path's resources may be running).
    Chosen(lockstep_domain::wizard::Wizard),
    /// Not changed yet: the path being left made `items` resources (costing `daily` a day, when
    /// they cost anything). Changing deletes them; the page asks to confirm that.
    NeedsTeardown { items: usize, daily: Option<String> },
    /// Not changed, and why (a run is active, the viewer role, ...).
    Refused(UserError),
}

/// The answer to "create this project": its id, or what is wrong with each field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CreateOutcome {
    Created(String),
    Invalid(FieldErrors),
}

/// What the domain step can offer this project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainChoices {
    pub zones: Vec<ZoneChoice>,
    /// Why listing zones failed, if it did (the other sources still work).
    pub zones_error: Option<String>,
    pub magic: Vec<MagicChoice>,
    /// Why no magic name can be offered (no public IP), if so.
    pub magic_unavailable: Option<Message>,
    /// The instance's public IP, for the third free choice (`https://<ip>`, issue 24); whether
    /// it may be taken (an Elastic IP) is checked when it is chosen.
    #[serde(default)]
    pub ip: Option<String>,
    /// Some registrar answers come from lockstep's sandbox stand-in, not from AWS.
    pub stand_in: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MagicChoice {
    pub provider: MagicProvider,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceView {
    pub registration_cents: i64,
    pub renewal_cents: i64,
    pub registration: String,
    pub renewal: String,
}

/// The answer to "can I buy this name?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSearch {
    pub domain: String,
    pub available: bool,
    /// Route 53's word for it (AVAILABLE, UNAVAILABLE, ...), or why it could not say.
    pub availability: Message,
    pub price: Option<PriceView>,
    pub suggestions: Vec<(String, bool)>,
    pub stand_in: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SearchOutcome {
    Found(DomainSearch),
    /// The name is not a valid domain name: the reason (English and Korean), for next to the field.
    Invalid(Message),
}

/// Starting a domain run for a name typed by the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DomainOutcome {
    Started(RunView),
    /// Why the typed name cannot be used (English and Korean), for next to the field.
    Invalid(Message),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BuyOutcome {
    Started(RunView),
    Invalid(ContactErrors),
    /// Not bought, and why (not confirmed, price changed, not available), in English and Korean.
    Refused(Message),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanOutcome {
    /// Saved; `redo` lists what must be done again for the new names.
    Saved {
        plan: NamePlan,
        redo: Vec<Message>,
    },
    Invalid(PlanErrors),
}

/// Errors a server function can return. `User` errors are shown as they are; `Internal`
/// errors carry no detail (it is in the server log, with the request id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    User(UserError),
    /// What does not exist (or is not the caller's to see), in English and Korean.
    #[error("Not found: {}", .0.en)]
    NotFound(Message),
    /// Signed in, but the role in the project's team does not allow this.
    #[error("{}", .0.en)]
    Forbidden(Message),
    /// Nobody is signed in (or the session ended).
    #[error("You are not signed in (or your session ended). Sign in again, then repeat what you were doing.")]
    SignInRequired,
    #[error("Something went wrong on the lockstep server ({0}). The details are in its log; try again, and if it keeps happening, report it with that reference.")]
    Internal(String),
    #[error("Could not reach the lockstep server: {0}. Check that it is running and try again.")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

impl AppError {
    /// A one-line-per-part rendering for the page, in Korean when `korean` (where the server
    /// wrote it; otherwise English).
    pub fn parts(&self, korean: bool) -> (String, String, String) {
        let one = |s: String| (s, String::new(), String::new());
        match (self, korean) {
            (AppError::User(e), _) => {
                let (what, why, fix) = e.said(korean);
                (what.to_string(), why.to_string(), fix.to_string())
            }
            (AppError::NotFound(what), true) => one(format!("찾을 수 없습니다: {}", what.ko)),
            (AppError::Forbidden(why), true) => one(why.ko.clone()),
            (AppError::SignInRequired, true) => {
                one("로그인되어 있지 않습니다 (또는 세션이 끝났습니다). 다시 로그인한 뒤 하던 일을 이어서 하세요.".into())
            }
            (AppError::Internal(reference), true) => one(format!(
                "lockstep 서버에서 문제가 생겼습니다 (참조 번호 {reference}). 자세한 내용은 서버 로그에 있습니다. 다시 시도하고, 계속되면 이 참조 번호와 함께 알려 주세요."
            )),
            (AppError::Transport(e), true) => {
                one(format!("lockstep 서버에 연결할 수 없습니다: {e}. 서버가 실행 중인지 확인하고 다시 시도하세요."))
            }
            (other, _) => one(other.to_string()),
        }
    }
}

/// The answer to "start the free path": the run, or what is wrong with each field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FreePathOutcome {
    Started(RunView),
    Invalid(Vec<lockstep_domain::freepath::FieldError>),
}

/// What lockstep knows about the instance before the free path starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreePathFacts {
    pub api: String,
    /// The name carries the IP (nip.io / sslip.io): no DNS record to write.
    pub magic: bool,
    pub instance_id: Option<String>,
    pub public_ip: Option<String>,
    /// Why the public IP is unknown, when it is.
    pub ip_problem: Option<Message>,
    /// SSM can run the script (None: unknown, e.g. no instance id).
    pub managed: Option<bool>,
    /// The public IP is an Elastic IP (None: unknown).
    pub elastic: Option<bool>,
}

/// The project's CloudFront frontend, as far as its runs got.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontendFacts {
    pub distribution_id: Option<String>,
    /// `dxxxx.cloudfront.net`.
    pub domain_name: Option<String>,
    /// Where the frontend is served: `https://www.team.com` or `https://dxxxx.cloudfront.net`.
    pub url: Option<String>,
}

/// The answer to "start this run" (frontend, cache clear, backend): the run, or why not (an
/// expected refusal the page shows in place, not a failed request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StartOutcome {
    Started(RunView),
    Refused(UserError),
}

/// What a page shows for a start answer: a refusal or a failed request (nothing for a start).
pub fn start_problem(answer: Result<StartOutcome, AppError>) -> Option<AppError> {
    match answer {
        Ok(StartOutcome::Refused(e)) => Some(AppError::User(e)),
        Ok(StartOutcome::Started(_)) => None,
        Err(e) => Some(e),
    }
}

/// One AWS resource the paid path will create (or reuse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedResource {
    pub what: String,
    pub name: String,
    pub region: String,
}

/// An issued ACM certificate the paid path can reuse instead of requesting a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReusableCert {
    pub arn: String,
    pub domain: String,
    pub names: Vec<String>,
    pub expires_in_days: Option<i64>,
}

/// The paid path before anything is created: what, where, and what it costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaidPlanView {
    /// Issued certificates in the region that already cover the API name, offered for reuse.
    pub reusable: Vec<ReusableCert>,
    pub resources: Vec<PlannedResource>,
    pub cost: lockstep_domain::pricing::CostPlan,
    /// Cents per month, the number the confirmation must repeat.
    pub monthly_cents: i64,
    pub monthly: String,
    pub daily: String,
    /// Why the paid path cannot run for this project (a free name...), when it cannot.
    pub refused: Option<UserError>,
}

/// What lockstep created in the account for a project, and what it costs while it exists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerView {
    pub items: Vec<lockstep_domain::ledger::LedgerItem>,
    pub daily_usd: f64,
    /// `$0.97`, or None when nothing billable exists.
    pub daily: Option<String>,
}

/// A team the signed-in person belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamSummary {
    pub id: String,
    pub name: String,
    pub role: Role,
}

/// The signed-in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: String,
    pub name: String,
    pub email: String,
    /// `en` / `ko`, when the person chose one.
    pub locale: Option<String>,
    pub teams: Vec<TeamSummary>,
}

/// Who is here: nobody yet (the first-run flow makes the first owner), signed out, or `me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub setup_needed: bool,
    pub me: Option<Me>,
    /// Addresses at these e-mail domains (and their subdomains) may sign up without an invite
    /// link; empty: sign-up is by invitation only.
    #[serde(default)]
    pub signup_domains: Vec<String>,
}

/// The answer to a sign-up / sign-in / first-run / invite form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthOutcome {
    /// Signed in; go to `next`.
    Done { next: String },
    /// Sign in to go on to `next` (after a sign-up or a password reset). A sign-up answers
    /// this whether or not the address already had an account, so the answer does not tell
    /// which addresses have one.
    SignIn { next: String },
    /// What is wrong with each field (nothing typed is lost).
    Invalid(Vec<FieldProblem>),
    /// Refused as a whole (wrong password, too many tries, link used up...).
    Refused(UserError),
}

/// The answer to an action that may be refused in place (team management).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionOutcome {
    Done,
    Invalid(Vec<FieldProblem>),
    Refused(UserError),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub joined_at: i64,
}

/// A team's page: its people, and how lockstep reaches its AWS account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamView {
    pub id: String,
    pub name: String,
    pub my_role: Role,
    pub members: Vec<MemberView>,
    /// The IAM role lockstep assumes for this team.
    pub aws_role_arn: Option<String>,
    /// Without a role, whether the team's projects use the server's own credentials (the
    /// sandbox, or a team the operator allowed on real AWS); else nothing in AWS until an owner
    /// adds a role.
    #[serde(default)]
    pub server_credentials: bool,
    /// The external id the role's trust policy must require (owners only).
    pub aws_external_id: Option<String>,
    /// The role's trust policy, ready to paste (owners only, when the server knows its own
    /// AWS account).
    #[serde(default)]
    pub trust_policy: Option<String>,
}

/// A fresh one-time invite link (shown once; only its hash is stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InviteOutcome {
    Created { path: String, role: Role, expires_at: i64 },
    Refused(UserError),
}

/// A fresh one-time password reset link (shown once to the owner who made it; only its hash is
/// stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResetLinkOutcome {
    Created { path: String, name: String, expires_at: i64 },
    Refused(UserError),
}

/// Whose password a reset link sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetInfo {
    pub name: String,
    pub email: String,
    pub expires_at: i64,
}

/// What an invite link offers, shown before accepting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteInfo {
    pub team_name: String,
    pub role: Role,
    pub expires_at: i64,
}

/// The answer to "create a team".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TeamOutcome {
    Created(String),
    Invalid(Vec<FieldProblem>),
}

/// Which entries of a project's history to show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryFilter {
    /// A user id.
    pub person: Option<String>,
    /// A step key, e.g. `cert.request`.
    pub step: Option<String>,
    pub failures_only: bool,
}

/// One entry of a project's deployment history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub seq: i64,
    /// Unix milliseconds.
    pub at: i64,
    pub person: Option<String>,
    pub person_id: Option<String>,
    /// `action` (someone did something in lockstep), `step` (a wizard step ended) or `aws` (a
    /// call lockstep made to AWS).
    pub kind: String,
    pub operation: String,
    pub step: Option<String>,
    pub run_id: Option<String>,
    pub summary: String,
    pub ok: bool,
    pub error_code: Option<String>,
    pub duration_ms: i64,
}

/// A project's history, with what the filters can choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryView {
    pub entries: Vec<HistoryEntry>,
    /// (user id, name) of everyone in the history.
    pub people: Vec<(String, String)>,
    /// Step keys in the history.
    pub steps: Vec<String>,
    /// `true` when there were more entries than shown (the JSON export has all of them).
    pub truncated: bool,
}

/// A project's status page settings, as the project page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusSettings {
    pub slug: String,
    /// `/status/<slug>` is served.
    pub public: bool,
    pub interval_minutes: i64,
    /// `https://hooks.slack.com/…AbCd` when a webhook is set (the URL itself is never sent back).
    pub webhook_hint: Option<String>,
    /// Settings were saved (else these are suggestions).
    pub saved: bool,
    pub next_check_at: Option<i64>,
    pub last_run: Option<RunView>,
}

/// The status settings form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusForm {
    pub public: bool,
    pub slug: String,
    pub interval_minutes: String,
    /// A new webhook URL; empty keeps the saved one.
    pub webhook: Option<String>,
    pub clear_webhook: bool,
}
