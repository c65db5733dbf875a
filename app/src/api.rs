//! Server functions: thin wrappers that call the [`ssr::Api`] trait the server provides.
//!
//! The bodies run only on the server (`ssr` feature); in the browser they become HTTP calls.
//! Each has a fixed endpoint (`/api/<name>`), so scripts and tests can call them too:
//! arguments form-encoded in a POST, the answer in JSON.

// A form-posted server function takes one argument per form field (the contact form has nine).
#![allow(clippy::too_many_arguments)]

use crate::model::*;
use leptos::prelude::*;
use lockstep_domain::plan::NamePlan;
use lockstep_domain::RunView;

#[cfg(feature = "ssr")]
pub mod ssr {
    //! The application interface the server implements. Everything the UI can do goes through
    //! this one trait, so the pages neither know nor care which database or AWS mode runs.
    use crate::model::*;
    use lockstep_domain::account::SignUpForm;
    use lockstep_domain::contact::ContactInput;
    use lockstep_domain::plan::{NamePlan, PlanInput};
    use lockstep_domain::{ProjectInput, RunView};
    use std::sync::Arc;

    #[async_trait::async_trait]
    pub trait Api: Send + Sync + 'static {
        fn environment(&self) -> EnvInfo;
        async fn list_projects(&self, who: &Caller) -> Result<Vec<ProjectSummary>, AppError>;
        async fn create_project(
            &self,
            who: &Caller,
            team_id: &str,
            input: ProjectInput,
        ) -> Result<CreateOutcome, AppError>;
        async fn get_project(&self, who: &Caller, id: &str) -> Result<ProjectView, AppError>;
        async fn delete_project(&self, who: &Caller, id: &str) -> Result<(), AppError>;
        async fn list_zones(&self, who: &Caller, project_id: &str) -> Result<Vec<ZoneChoice>, AppError>;
        async fn domain_choices(&self, who: &Caller, project_id: &str) -> Result<DomainChoices, AppError>;
        async fn choose_zone(&self, who: &Caller, project_id: &str, zone_id: &str) -> Result<NamePlan, AppError>;
        async fn use_other_registrar(
            &self,
            who: &Caller,
            project_id: &str,
            domain: &str,
        ) -> Result<DomainOutcome, AppError>;
        async fn search_domain(&self, who: &Caller, project_id: &str, domain: &str) -> Result<SearchOutcome, AppError>;
        async fn buy_domain(
            &self,
            who: &Caller,
            project_id: &str,
            domain: &str,
            confirm_cents: i64,
            contact: ContactInput,
        ) -> Result<BuyOutcome, AppError>;
        async fn use_magic(&self, who: &Caller, project_id: &str, provider: &str) -> Result<NamePlan, AppError>;
        async fn save_plan(&self, who: &Caller, project_id: &str, input: PlanInput) -> Result<PlanOutcome, AppError>;
        async fn latest_domain_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError>;
        async fn recheck(&self, who: &Caller, run_id: &str) -> Result<(), AppError>;
        async fn sandbox_registrar_updated(&self, who: &Caller, project_id: &str) -> Result<(), AppError>;
        async fn start_certificate(&self, who: &Caller, project_id: &str) -> Result<RunView, AppError>;
        async fn latest_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError>;
        /// Start the HTTPS doctor on the project's names (a one-step run; its report is the detail).
        async fn start_doctor(&self, who: &Caller, project_id: &str) -> Result<RunView, AppError>;
        async fn latest_doctor_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError>;
        async fn free_path_facts(&self, who: &Caller, project_id: &str) -> Result<FreePathFacts, AppError>;
        async fn start_free_path(
            &self,
            who: &Caller,
            project_id: &str,
            form: lockstep_domain::freepath::FreePathForm,
        ) -> Result<FreePathOutcome, AppError>;
        async fn latest_free_path_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError>;
        async fn start_frontend(&self, who: &Caller, project_id: &str) -> Result<StartOutcome, AppError>;
        async fn latest_frontend_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError>;
        async fn frontend_facts(&self, who: &Caller, project_id: &str) -> Result<FrontendFacts, AppError>;
        /// Clears CloudFront's cache (`/*`) after a redeploy.
        async fn invalidate_frontend(&self, who: &Caller, project_id: &str) -> Result<StartOutcome, AppError>;
        async fn latest_invalidation(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError>;
        async fn ledger(&self, who: &Caller, project_id: &str) -> Result<LedgerView, AppError>;
        async fn paid_plan(&self, who: &Caller, project_id: &str) -> Result<PaidPlanView, AppError>;
        /// Starts the paid backend (the API's certificate in the instance's region, then the
        /// ALB) once `confirm_cents` repeats the monthly price the plan showed.
        /// `certificate`: absent = reuse an issued one that covers the name if any, `new` =
        /// request one, an ARN from the plan's `reusable` = reuse that one.
        async fn start_backend(
            &self,
            who: &Caller,
            project_id: &str,
            confirm_cents: Option<i64>,
            certificate: Option<String>,
        ) -> Result<StartOutcome, AppError>;
        async fn latest_backend_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError>;
        /// Deletes everything in the project's ledger (the hosted zone only with `delete_zone`),
        /// then lists AWS to prove it is gone. `confirm` is the "I understand" box.
        async fn start_teardown(
            &self,
            who: &Caller,
            project_id: &str,
            confirm: bool,
            delete_zone: bool,
        ) -> Result<StartOutcome, AppError>;
        async fn latest_teardown_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError>;
        // People and teams.
        async fn session_info(&self, who: &Caller) -> Result<SessionInfo, AppError>;
        /// The first-run flow: makes the first owner (and their team) while there is nobody.
        async fn setup_owner(&self, who: &Caller, form: SignUpForm) -> Result<AuthOutcome, AppError>;
        /// A new account: with `invite`, joins that team; else (an address at one of the
        /// operator's sign-up domains) makes the person's own team. Answers
        /// [`AuthOutcome::SignIn`] whether or not the address already had an account.
        async fn sign_up(
            &self,
            who: &Caller,
            form: SignUpForm,
            invite: Option<String>,
        ) -> Result<AuthOutcome, AppError>;
        async fn sign_in(
            &self,
            who: &Caller,
            email: &str,
            password: &str,
            next: Option<String>,
        ) -> Result<AuthOutcome, AppError>;
        async fn sign_out(&self, who: &Caller) -> Result<(), AppError>;
        /// The signed-in person's new password (their current one confirms it is them); every
        /// other session of theirs is signed out.
        async fn change_password(&self, who: &Caller, current: &str, new: &str) -> Result<ActionOutcome, AppError>;
        /// An owner's one-time link for `user_id`, a member of their team, to set a new password.
        async fn create_reset_link(
            &self,
            who: &Caller,
            team_id: &str,
            user_id: &str,
        ) -> Result<ResetLinkOutcome, AppError>;
        /// Whose password a reset link sets (anyone holding the link may ask).
        async fn reset_info(&self, who: &Caller, token: &str) -> Result<ResetInfo, AppError>;
        /// Sets the password through a reset link (once); every session of that person ends.
        async fn reset_password(&self, who: &Caller, token: &str, password: &str) -> Result<AuthOutcome, AppError>;
        async fn set_locale(&self, who: &Caller, locale: &str) -> Result<(), AppError>;
        async fn create_team(&self, who: &Caller, name: &str) -> Result<TeamOutcome, AppError>;
        async fn team(&self, who: &Caller, team_id: &str) -> Result<TeamView, AppError>;
        async fn create_invite(&self, who: &Caller, team_id: &str, role: &str) -> Result<InviteOutcome, AppError>;
        async fn invite_info(&self, who: &Caller, token: &str) -> Result<InviteInfo, AppError>;
        async fn accept_invite(&self, who: &Caller, token: &str) -> Result<AuthOutcome, AppError>;
        async fn set_member_role(
            &self,
            who: &Caller,
            team_id: &str,
            user_id: &str,
            role: &str,
        ) -> Result<ActionOutcome, AppError>;
        async fn remove_member(&self, who: &Caller, team_id: &str, user_id: &str) -> Result<ActionOutcome, AppError>;
        /// Sets (or with `None` clears) the IAM role lockstep assumes for the team's AWS.
        async fn set_team_role(
            &self,
            who: &Caller,
            team_id: &str,
            role_arn: Option<String>,
        ) -> Result<ActionOutcome, AppError>;

        /// Writes an action (and the AWS calls it made) to the history of its project or team,
        /// when the caller belongs there. Never fails the action: a write error is logged.
        async fn record_action(&self, who: &Caller, record: ActionRecord);
        /// A project's history, filtered.
        async fn history(&self, who: &Caller, project_id: &str, filter: HistoryFilter)
            -> Result<HistoryView, AppError>;

        async fn status_settings(&self, who: &Caller, project_id: &str) -> Result<StatusSettings, AppError>;
        async fn save_status_settings(
            &self,
            who: &Caller,
            project_id: &str,
            form: StatusForm,
        ) -> Result<ActionOutcome, AppError>;
        /// Runs the status check now (the doctor, then the page's record and any alerts).
        async fn check_status_now(&self, who: &Caller, project_id: &str) -> Result<StartOutcome, AppError>;

        /// Runs a failed run's failed step again (after the user fixed what it named).
        async fn retry_run(&self, who: &Caller, run_id: &str) -> Result<(), AppError>;
    }

    #[derive(Clone)]
    pub struct ApiHandle(pub Arc<dyn Api>);

    pub fn api() -> Result<Arc<dyn Api>, AppError> {
        leptos::prelude::use_context::<ApiHandle>()
            .map(|h| h.0)
            .ok_or_else(|| AppError::Internal("no Api in context".into()))
    }

    /// Who is calling: the signed-in user (from the session cookie), their address, and
    /// their session (to sign in or out). The server puts one in every request.
    #[derive(Clone)]
    pub struct Caller {
        pub user_id: Option<String>,
        /// The client's IP address (sign-in throttling), when known.
        pub address: Option<String>,
        pub session: Arc<dyn SessionPort>,
    }

    impl Caller {
        pub fn anonymous() -> Caller {
            Caller { user_id: None, address: None, session: Arc::new(NoSession) }
        }
        /// A signed-in user without a real session (in-process tests, scheduled work).
        pub fn user(id: &str) -> Caller {
            Caller { user_id: Some(id.to_string()), address: None, session: Arc::new(NoSession) }
        }
    }

    /// The caller's session, as far as signing in and out needs it.
    #[async_trait::async_trait]
    pub trait SessionPort: Send + Sync {
        /// Signs `user_id` in: the session gets a NEW id first (a planted id is useless), then
        /// remembers the user and their session epoch (a later password change or reset, which
        /// raises it, signs this session out).
        async fn begin(&self, user_id: &str, epoch: i64) -> Result<(), String>;
        /// Signs out: the session and its cookie are deleted.
        async fn end(&self) -> Result<(), String>;
    }

    pub struct NoSession;

    #[async_trait::async_trait]
    impl SessionPort for NoSession {
        async fn begin(&self, _: &str, _: i64) -> Result<(), String> {
            Ok(())
        }
        async fn end(&self) -> Result<(), String> {
            Ok(())
        }
    }

    /// One AWS call, as the deployment history records it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct AwsCall {
        pub at: i64,
        /// `service:Operation`, e.g. `acm:RequestCertificate`.
        pub operation: String,
        /// The request in words: the operation and its key parameters, never a secret
        /// (`server::aws::audit::summarise`), shortened.
        pub summary: String,
        pub ok: bool,
        pub error_code: Option<String>,
        pub duration_ms: i64,
    }

    /// The AWS calls made while an action or a step runs.
    #[derive(Clone, Default)]
    pub struct CallLog(Arc<std::sync::Mutex<Vec<AwsCall>>>);

    impl CallLog {
        fn push(&self, call: AwsCall) {
            self.0.lock().unwrap_or_else(|p| p.into_inner()).push(call);
        }
        fn take(&self) -> Vec<AwsCall> {
            std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
        }
    }

    /// Whose AWS access the AWS calls of an action or a step are for. The server decides what
    /// each means (`lockstep_server::aws::team_role::Authority`): in the sandbox anyone may use
    /// the emulator's credentials; on real AWS a team acts only through its own role, unless the
    /// operator allowed the server's credentials for it.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
    pub enum AwsAccess {
        /// No team named yet: an action before its authorization check (and, outside any
        /// action or step, work nobody asked for).
        #[default]
        Unnamed,
        /// For a team: its own role, if an owner saved one.
        Team { team_id: String, role: Option<lockstep_domain::account::AwsRole> },
        /// A step whose project or team no longer exists.
        Orphan,
        /// The server's own credentials, chosen by the server for its own work (start-up).
        Server,
    }

    /// What an action or a step running on a task shares with the AWS adapters below it: the
    /// calls it made (for the history) and whose AWS access it acts with.
    #[derive(Clone, Default)]
    struct Work {
        calls: CallLog,
        access: Arc<std::sync::Mutex<AwsAccess>>,
    }

    tokio::task_local! {
        static WORK: Work;
    }

    /// Records an AWS call for the action or step running on this task (none: not recorded).
    pub fn log_aws_call(call: AwsCall) {
        let _ = WORK.try_with(|w| w.calls.push(call));
    }

    /// Runs `fut`, collecting the AWS calls it makes on its task; they are for nobody
    /// ([`AwsAccess::Unnamed`]) until [`use_aws`] names a team.
    pub async fn collect_calls<F: std::future::Future>(fut: F) -> (F::Output, Vec<AwsCall>) {
        collect_calls_as(AwsAccess::Unnamed, fut).await
    }

    /// [`collect_calls`], acting with `access` from the start (a step of a team's project).
    pub async fn collect_calls_as<F: std::future::Future>(
        access: impl Into<AwsAccess>,
        fut: F,
    ) -> (F::Output, Vec<AwsCall>) {
        let work = Work { calls: CallLog::default(), access: Arc::new(std::sync::Mutex::new(access.into())) };
        let out = WORK.scope(work.clone(), fut).await;
        (out, work.calls.take())
    }

    /// A team's role, acting for that team (tests and the role check before saving it).
    impl From<(&str, lockstep_domain::account::AwsRole)> for AwsAccess {
        fn from((team_id, role): (&str, lockstep_domain::account::AwsRole)) -> Self {
            AwsAccess::Team { team_id: team_id.to_string(), role: Some(role) }
        }
    }

    /// The rest of this action's AWS calls are for `access` (the team's, once the action knows
    /// which team it is for). Outside an action: nothing.
    pub fn use_aws(access: AwsAccess) {
        let _ = WORK.try_with(|w| *w.access.lock().unwrap_or_else(|p| p.into_inner()) = access);
    }

    /// Whose AWS access this task's calls are for; `None` outside any action or step.
    pub fn aws_access() -> Option<AwsAccess> {
        WORK.try_with(|w| w.access.lock().unwrap_or_else(|p| p.into_inner()).clone()).ok()
    }

    /// A wizard or team action, for the deployment history.
    #[derive(Debug, Clone)]
    pub struct ActionRecord {
        pub operation: &'static str,
        pub project_id: Option<String>,
        pub team_id: Option<String>,
        /// The run it started, when it started one.
        pub run_id: Option<String>,
        /// What was asked (never a password or a token).
        pub summary: String,
        pub ok: bool,
        pub error_code: Option<String>,
        pub started_at: i64,
        pub duration_ms: i64,
        pub calls: Vec<AwsCall>,
    }

    fn now_ms() -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
    }

    /// Whether an answer means "done" and, if it started a run, which: refusals and field
    /// errors are answers too, but not successes.
    fn judge<T: serde::Serialize>(result: &Result<T, AppError>) -> (bool, Option<String>, Option<String>) {
        match result {
            Err(e) => {
                let code = match e {
                    AppError::User(_) => "refused",
                    AppError::NotFound(_) => "not_found",
                    AppError::Forbidden(_) => "forbidden",
                    AppError::SignInRequired => "sign_in_required",
                    AppError::Internal(_) => "internal",
                    AppError::Transport(_) => "transport",
                };
                (false, Some(code.to_string()), None)
            }
            Ok(v) => {
                let v = serde_json::to_value(v).unwrap_or_default();
                let inner = v.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next());
                if let Some((key, _)) = inner.filter(|(k, _)| ["Refused", "Invalid"].contains(&k.as_str())) {
                    return (false, Some(key.to_lowercase()), None);
                }
                // A run view, bare or inside `Started`.
                let run = inner.map(|(_, v)| v).filter(|v| v.get("steps").is_some()).unwrap_or(&v);
                let run_id = run.get("steps").and(run.get("id")).and_then(|id| id.as_str()).map(str::to_string);
                (true, None, run_id)
            }
        }
    }

    /// Where an action belongs in the history.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct Scope<'a> {
        pub project: Option<&'a str>,
        pub team: Option<&'a str>,
        /// A run the action is about (its project is the run's).
        pub run: Option<&'a str>,
    }

    impl<'a> Scope<'a> {
        pub fn project(id: &'a str) -> Self {
            Scope { project: Some(id), ..Scope::default() }
        }
        pub fn team(id: &'a str) -> Self {
            Scope { team: Some(id), ..Scope::default() }
        }
        pub fn run(id: &'a str) -> Self {
            Scope { run: Some(id), ..Scope::default() }
        }
    }

    /// Runs an endpoint that changes something: collects its AWS calls, has the server write
    /// the action and the calls to the history, and answers like [`answer`].
    pub async fn audited<T: serde::Serialize>(
        api: &Arc<dyn Api>,
        who: &Caller,
        operation: &'static str,
        scope: Scope<'_>,
        summary: String,
        fut: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        record(api, who, operation, scope, summary, fut, false).await
    }

    /// For an endpoint that only reads: written to the history only when it called AWS (so
    /// that every AWS call is there, and page loads that did not are not).
    pub async fn observed<T: serde::Serialize>(
        api: &Arc<dyn Api>,
        who: &Caller,
        operation: &'static str,
        scope: Scope<'_>,
        fut: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        record(api, who, operation, scope, String::new(), fut, true).await
    }

    async fn record<T: serde::Serialize>(
        api: &Arc<dyn Api>,
        who: &Caller,
        operation: &'static str,
        scope: Scope<'_>,
        summary: String,
        fut: impl std::future::Future<Output = Result<T, AppError>>,
        only_with_calls: bool,
    ) -> Result<T, AppError> {
        let started_at = now_ms();
        let clock = std::time::Instant::now();
        let (result, calls) = collect_calls(fut).await;
        if only_with_calls && calls.is_empty() {
            return answer(result);
        }
        let (ok, error_code, run_id) = judge(&result);
        let record = ActionRecord {
            operation,
            project_id: scope.project.map(str::to_string),
            team_id: scope.team.map(str::to_string),
            run_id: run_id.or(scope.run.map(str::to_string)),
            summary,
            ok,
            error_code,
            started_at,
            duration_ms: clock.elapsed().as_millis() as i64,
            calls,
        };
        api.record_action(who, record).await;
        answer(result)
    }

    /// The Api and the caller of the request being served.
    pub fn ctx() -> Result<(Arc<dyn Api>, Caller), AppError> {
        let caller = leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<Caller>().cloned())
            .unwrap_or_else(Caller::anonymous);
        Ok((api()?, caller))
    }

    /// Passes the answer on, with the HTTP status a refusal deserves (404 for what the caller
    /// may not even know exists, 403 for what their role does not allow, 401 when signed out),
    /// so scripts and the authorization test see it without reading the body.
    pub fn answer<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(e) = &result {
            let status = match e {
                AppError::NotFound(_) => Some(http::StatusCode::NOT_FOUND),
                AppError::Forbidden(_) => Some(http::StatusCode::FORBIDDEN),
                AppError::SignInRequired => Some(http::StatusCode::UNAUTHORIZED),
                _ => None,
            };
            if let (Some(status), Some(res)) = (status, leptos::prelude::use_context::<leptos_axum::ResponseOptions>())
            {
                res.set_status(status);
            }
        }
        result
    }
}

#[server(endpoint = "environment")]
pub async fn environment() -> Result<EnvInfo, AppError> {
    Ok(ssr::api()?.environment())
}

#[server(endpoint = "list_projects")]
pub async fn list_projects() -> Result<Vec<ProjectSummary>, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.list_projects(&who).await)
}

#[server(endpoint = "create_project")]
pub async fn create_project(
    team_id: String,
    name: String,
    region: String,
    instance: String,
    app_port: String,
    health_path: String,
    bucket: String,
    framework: String,
) -> Result<CreateOutcome, AppError> {
    let input = lockstep_domain::ProjectInput { name, region, instance, app_port, health_path, bucket, framework };
    let (api, who) = ssr::ctx()?;
    let summary = format!("name {}, region {}, instance {}", input.name, input.region, input.instance);
    let answer = api.create_project(&who, &team_id, input).await;
    // The new project's history starts with its creation.
    let scope = match &answer {
        Ok(CreateOutcome::Created(id)) => ssr::Scope { project: Some(id), team: Some(&team_id), run: None },
        _ => ssr::Scope::team(&team_id),
    };
    let answer_for_log = answer.clone();
    ssr::audited(&api, &who, "create_project", scope, summary, async move { answer_for_log }).await
}

#[server(endpoint = "get_project")]
pub async fn get_project(id: String) -> Result<ProjectView, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.get_project(&who, &id).await)
}

#[server(endpoint = "delete_project")]
pub async fn delete_project(id: String) -> Result<(), AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::audited(&api, &who, "delete_project", ssr::Scope::project(&id), String::new(), api.delete_project(&who, &id))
        .await
}

#[server(endpoint = "list_zones")]
pub async fn list_zones(project_id: String) -> Result<Vec<ZoneChoice>, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::observed(&api, &who, "list_zones", ssr::Scope::project(&project_id), api.list_zones(&who, &project_id)).await
}

#[server(endpoint = "domain_choices")]
pub async fn get_domain_choices(project_id: String) -> Result<DomainChoices, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::observed(&api, &who, "domain_choices", ssr::Scope::project(&project_id), api.domain_choices(&who, &project_id))
        .await
}

#[server(endpoint = "choose_zone")]
pub async fn choose_zone(project_id: String, zone_id: String) -> Result<NamePlan, AppError> {
    let (api, who) = ssr::ctx()?;
    let summary = format!("zone {zone_id}");
    ssr::audited(
        &api,
        &who,
        "choose_zone",
        ssr::Scope::project(&project_id),
        summary,
        api.choose_zone(&who, &project_id, &zone_id),
    )
    .await
}

#[server(endpoint = "use_other_registrar")]
pub async fn use_other_registrar(project_id: String, domain: String) -> Result<DomainOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    let summary = format!("domain {domain}");
    ssr::audited(
        &api,
        &who,
        "use_other_registrar",
        ssr::Scope::project(&project_id),
        summary,
        api.use_other_registrar(&who, &project_id, &domain),
    )
    .await
}

#[server(endpoint = "search_domain")]
pub async fn search_domain(project_id: String, domain: String) -> Result<SearchOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::observed(
        &api,
        &who,
        "search_domain",
        ssr::Scope::project(&project_id),
        api.search_domain(&who, &project_id, &domain),
    )
    .await
}

#[server(endpoint = "buy_domain")]
pub async fn buy_domain(
    project_id: String,
    domain: String,
    // An unticked checkbox sends no field at all.
    confirm_cents: Option<String>,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    address_line1: String,
    city: String,
    state: String,
    country_code: String,
    zip_code: String,
) -> Result<BuyOutcome, AppError> {
    let contact = lockstep_domain::contact::ContactInput {
        first_name,
        last_name,
        email,
        phone,
        address_line1,
        city,
        state,
        country_code,
        zip_code,
    };
    // An unticked confirmation box sends nothing: that is "not confirmed", not an error.
    let confirm = confirm_cents.and_then(|c| c.trim().parse().ok()).unwrap_or(-1);
    let (api, who) = ssr::ctx()?;
    // The registrant's contact details are personal: the history names the domain only.
    let summary = format!("domain {domain}, confirmed price {confirm} cents (contact details not recorded)");
    let call = api.buy_domain(&who, &project_id, &domain, confirm, contact);
    ssr::audited(&api, &who, "buy_domain", ssr::Scope::project(&project_id), summary, call).await
}

#[server(endpoint = "use_magic")]
pub async fn use_magic(project_id: String, provider: String) -> Result<NamePlan, AppError> {
    let (api, who) = ssr::ctx()?;
    let summary = format!("provider {provider}");
    ssr::audited(
        &api,
        &who,
        "use_magic",
        ssr::Scope::project(&project_id),
        summary,
        api.use_magic(&who, &project_id, &provider),
    )
    .await
}

#[server(endpoint = "save_plan")]
pub async fn save_plan(project_id: String, frontend: String, api: String) -> Result<PlanOutcome, AppError> {
    let (server, who) = ssr::ctx()?;
    let summary = format!("frontend {frontend}, api {api}");
    let call = server.save_plan(&who, &project_id, lockstep_domain::plan::PlanInput { frontend, api });
    ssr::audited(&server, &who, "save_plan", ssr::Scope::project(&project_id), summary, call).await
}

#[server(endpoint = "latest_domain_run")]
pub async fn latest_domain_run(project_id: String) -> Result<Option<RunView>, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.latest_domain_run(&who, &project_id).await)
}

#[server(endpoint = "recheck")]
pub async fn recheck(run_id: String) -> Result<(), AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::audited(&api, &who, "recheck", ssr::Scope::run(&run_id), String::new(), api.recheck(&who, &run_id)).await
}

#[server(endpoint = "sandbox_registrar_updated")]
pub async fn sandbox_registrar_updated(project_id: String) -> Result<(), AppError> {
    let (api, who) = ssr::ctx()?;
    let summary = String::new();
    ssr::audited(
        &api,
        &who,
        "sandbox_registrar_updated",
        ssr::Scope::project(&project_id),
        summary,
        api.sandbox_registrar_updated(&who, &project_id),
    )
    .await
}

#[server(endpoint = "start_certificate")]
pub async fn start_certificate(project_id: String) -> Result<RunView, AppError> {
    let (api, who) = ssr::ctx()?;
    let summary = String::new();
    ssr::audited(
        &api,
        &who,
        "start_certificate",
        ssr::Scope::project(&project_id),
        summary,
        api.start_certificate(&who, &project_id),
    )
    .await
}

#[server(endpoint = "latest_run")]
pub async fn latest_run(project_id: String) -> Result<Option<RunView>, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.latest_run(&who, &project_id).await)
}

#[server(endpoint = "start_doctor")]
pub async fn start_doctor(project_id: String) -> Result<RunView, AppError> {
    let (api, who) = ssr::ctx()?;
    let summary = String::new();
    ssr::audited(
        &api,
        &who,
        "start_doctor",
        ssr::Scope::project(&project_id),
        summary,
        api.start_doctor(&who, &project_id),
    )
    .await
}

#[server(endpoint = "latest_doctor_run")]
pub async fn latest_doctor_run(project_id: String) -> Result<Option<RunView>, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.latest_doctor_run(&who, &project_id).await)
}

#[server(endpoint = "free_path_facts")]
pub async fn get_free_path_facts(project_id: String) -> Result<FreePathFacts, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::observed(
        &api,
        &who,
        "free_path_facts",
        ssr::Scope::project(&project_id),
        api.free_path_facts(&who, &project_id),
    )
    .await
}

/// `staging` is a checkbox: present ("on") when ticked, absent otherwise.
#[server(endpoint = "start_free_path")]
pub async fn start_free_path(
    project_id: String,
    os: String,
    email: String,
    staging: Option<String>,
) -> Result<FreePathOutcome, AppError> {
    let form = lockstep_domain::freepath::FreePathForm { os, email, staging: staging.is_some_and(|s| !s.is_empty()) };
    let (api, who) = ssr::ctx()?;
    let summary = format!("os {}, staging {}", form.os, form.staging);
    let call = api.start_free_path(&who, &project_id, form);
    ssr::audited(&api, &who, "start_free_path", ssr::Scope::project(&project_id), summary, call).await
}

#[server(endpoint = "latest_free_path_run")]
pub async fn latest_free_path_run(project_id: String) -> Result<Option<RunView>, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.latest_free_path_run(&who, &project_id).await)
}

#[server(endpoint = "retry_run")]
pub async fn retry_run(run_id: String) -> Result<(), AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::audited(&api, &who, "retry_run", ssr::Scope::run(&run_id), String::new(), api.retry_run(&who, &run_id)).await
}

#[server(endpoint = "start_frontend")]
pub async fn start_frontend(project_id: String) -> Result<StartOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    let summary = String::new();
    ssr::audited(
        &api,
        &who,
        "start_frontend",
        ssr::Scope::project(&project_id),
        summary,
        api.start_frontend(&who, &project_id),
    )
    .await
}

#[server(endpoint = "latest_frontend_run")]
pub async fn latest_frontend_run(project_id: String) -> Result<Option<RunView>, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.latest_frontend_run(&who, &project_id).await)
}

#[server(endpoint = "frontend_facts")]
pub async fn get_frontend_facts(project_id: String) -> Result<FrontendFacts, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::observed(&api, &who, "frontend_facts", ssr::Scope::project(&project_id), api.frontend_facts(&who, &project_id))
        .await
}

#[server(endpoint = "invalidate_frontend")]
pub async fn invalidate_frontend(project_id: String) -> Result<StartOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    let summary = String::new();
    ssr::audited(
        &api,
        &who,
        "invalidate_frontend",
        ssr::Scope::project(&project_id),
        summary,
        api.invalidate_frontend(&who, &project_id),
    )
    .await
}

#[server(endpoint = "latest_invalidation")]
pub async fn latest_invalidation(project_id: String) -> Result<Option<RunView>, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.latest_invalidation(&who, &project_id).await)
}

#[server(endpoint = "ledger")]
pub async fn get_ledger(project_id: String) -> Result<LedgerView, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::observed(&api, &who, "ledger", ssr::Scope::project(&project_id), api.ledger(&who, &project_id)).await
}

#[server(endpoint = "paid_plan")]
pub async fn get_paid_plan(project_id: String) -> Result<PaidPlanView, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::observed(&api, &who, "paid_plan", ssr::Scope::project(&project_id), api.paid_plan(&who, &project_id)).await
}

/// `confirm_cents` is the confirmation checkbox: absent when not ticked.
/// `certificate` is the reuse choice: `new`, an ARN the plan offered, or absent.
#[server(endpoint = "start_backend")]
pub async fn start_backend(
    project_id: String,
    confirm_cents: Option<i64>,
    certificate: Option<String>,
) -> Result<StartOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    let summary =
        format!("confirmed {confirm_cents:?} cents a month, certificate {}", certificate.as_deref().unwrap_or("auto"));
    let call = api.start_backend(&who, &project_id, confirm_cents, certificate);
    ssr::audited(&api, &who, "start_backend", ssr::Scope::project(&project_id), summary, call).await
}

/// `confirm` and `delete_zone` are checkboxes: present (`on`) when ticked.
#[server(endpoint = "start_teardown")]
pub async fn start_teardown(
    project_id: String,
    confirm: Option<String>,
    delete_zone: Option<String>,
) -> Result<StartOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    let summary = format!("confirmed {}, delete zone {}", confirm.is_some(), delete_zone.is_some());
    let call = api.start_teardown(&who, &project_id, confirm.is_some(), delete_zone.is_some());
    ssr::audited(&api, &who, "start_teardown", ssr::Scope::project(&project_id), summary, call).await
}

#[server(endpoint = "latest_teardown_run")]
pub async fn latest_teardown_run(project_id: String) -> Result<Option<RunView>, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.latest_teardown_run(&who, &project_id).await)
}

#[server(endpoint = "latest_backend_run")]
pub async fn latest_backend_run(project_id: String) -> Result<Option<RunView>, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.latest_backend_run(&who, &project_id).await)
}

#[server(endpoint = "session_info")]
pub async fn get_session_info() -> Result<SessionInfo, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.session_info(&who).await)
}

#[server(endpoint = "setup_owner")]
pub async fn setup_owner(name: String, email: String, password: String, team: String) -> Result<AuthOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    let form = lockstep_domain::account::SignUpForm { name, email, password, team };
    ssr::answer(api.setup_owner(&who, form).await)
}

/// `invite` is the one-time token from an invite link (absent: a new team is made).
#[server(endpoint = "sign_up")]
pub async fn sign_up(
    name: String,
    email: String,
    password: String,
    team: Option<String>,
    invite: Option<String>,
) -> Result<AuthOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    let form = lockstep_domain::account::SignUpForm { name, email, password, team: team.unwrap_or_default() };
    ssr::answer(api.sign_up(&who, form, invite.filter(|t| !t.is_empty())).await)
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<AuthOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.sign_in(&who, &email, &password, next).await)
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.sign_out(&who).await)
}

/// Never recorded with its fields: they are passwords.
#[server(endpoint = "change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<ActionOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.change_password(&who, &current_password, &new_password).await)
}

#[server(endpoint = "create_reset_link")]
pub async fn create_reset_link(team_id: String, user_id: String) -> Result<ResetLinkOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    // The history says for whom; the link itself is a secret and is never written down.
    let summary = format!("user {user_id}");
    let call = api.create_reset_link(&who, &team_id, &user_id);
    ssr::audited(&api, &who, "create_reset_link", ssr::Scope::team(&team_id), summary, call).await
}

#[server(endpoint = "reset_info")]
pub async fn get_reset_info(token: String) -> Result<ResetInfo, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.reset_info(&who, &token).await)
}

#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<AuthOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.reset_password(&who, &token, &password).await)
}

#[server(endpoint = "set_locale")]
pub async fn set_locale(locale: String) -> Result<(), AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.set_locale(&who, &locale).await)
}

#[server(endpoint = "create_team")]
pub async fn create_team(name: String) -> Result<TeamOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.create_team(&who, &name).await)
}

#[server(endpoint = "team")]
pub async fn get_team(team_id: String) -> Result<TeamView, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.team(&who, &team_id).await)
}

#[server(endpoint = "create_invite")]
pub async fn create_invite(team_id: String, role: String) -> Result<InviteOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    let summary = format!("role {role}");
    ssr::audited(
        &api,
        &who,
        "create_invite",
        ssr::Scope::team(&team_id),
        summary,
        api.create_invite(&who, &team_id, &role),
    )
    .await
}

#[server(endpoint = "invite_info")]
pub async fn get_invite_info(token: String) -> Result<InviteInfo, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.invite_info(&who, &token).await)
}

#[server(endpoint = "accept_invite")]
pub async fn accept_invite(token: String) -> Result<AuthOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.accept_invite(&who, &token).await)
}

#[server(endpoint = "set_member_role")]
pub async fn set_member_role(team_id: String, user_id: String, role: String) -> Result<ActionOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    let summary = format!("user {user_id}, role {role}");
    let call = api.set_member_role(&who, &team_id, &user_id, &role);
    ssr::audited(&api, &who, "set_member_role", ssr::Scope::team(&team_id), summary, call).await
}

#[server(endpoint = "remove_member")]
pub async fn remove_member(team_id: String, user_id: String) -> Result<ActionOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    let summary = format!("user {user_id}");
    ssr::audited(
        &api,
        &who,
        "remove_member",
        ssr::Scope::team(&team_id),
        summary,
        api.remove_member(&who, &team_id, &user_id),
    )
    .await
}

/// `role_arn` empty or absent: use the server's own credentials.
#[server(endpoint = "set_team_role")]
pub async fn set_team_role(team_id: String, role_arn: Option<String>) -> Result<ActionOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    let arn = role_arn.map(|a| a.trim().to_string()).filter(|a| !a.is_empty());
    let summary = format!("role {}", arn.as_deref().unwrap_or("(none)"));
    ssr::audited(
        &api,
        &who,
        "set_team_role",
        ssr::Scope::team(&team_id),
        summary,
        api.set_team_role(&who, &team_id, arn),
    )
    .await
}

/// `person`: a user id; `step`: a step key (e.g. `cert.request`); `failures`: a checkbox.
#[server(endpoint = "history")]
pub async fn get_history(
    project_id: String,
    person: Option<String>,
    step: Option<String>,
    failures: Option<String>,
) -> Result<HistoryView, AppError> {
    let (api, who) = ssr::ctx()?;
    let filter = HistoryFilter {
        person: person.filter(|p| !p.is_empty()),
        step: step.filter(|s| !s.is_empty()),
        failures_only: failures.is_some_and(|f| !f.is_empty()),
    };
    ssr::answer(api.history(&who, &project_id, filter).await)
}

#[server(endpoint = "status_settings")]
pub async fn get_status_settings(project_id: String) -> Result<StatusSettings, AppError> {
    let (api, who) = ssr::ctx()?;
    ssr::answer(api.status_settings(&who, &project_id).await)
}

/// `public` and `clear_webhook` are checkboxes (present when ticked); an empty `webhook`
/// keeps the saved one.
#[server(endpoint = "save_status_settings")]
pub async fn save_status_settings(
    project_id: String,
    public: Option<String>,
    slug: String,
    interval_minutes: String,
    webhook: Option<String>,
    clear_webhook: Option<String>,
) -> Result<ActionOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    let form = StatusForm {
        public: public.is_some(),
        slug,
        interval_minutes,
        webhook: webhook.filter(|w| !w.trim().is_empty()),
        clear_webhook: clear_webhook.is_some(),
    };
    // The webhook is a secret: the history says whether one was set, never which.
    let summary = format!(
        "public {}, slug {}, every {} min, webhook {}",
        form.public,
        form.slug,
        form.interval_minutes,
        if form.webhook.is_some() {
            "set"
        } else if form.clear_webhook {
            "removed"
        } else {
            "unchanged"
        }
    );
    let call = api.save_status_settings(&who, &project_id, form);
    ssr::audited(&api, &who, "save_status_settings", ssr::Scope::project(&project_id), summary, call).await
}

#[server(endpoint = "check_status_now")]
pub async fn check_status_now(project_id: String) -> Result<StartOutcome, AppError> {
    let (api, who) = ssr::ctx()?;
    let call = api.check_status_now(&who, &project_id);
    ssr::audited(&api, &who, "check_status_now", ssr::Scope::project(&project_id), String::new(), call).await
}
