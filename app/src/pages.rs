//! The pages: project list, new project form, project wizard page.

use crate::api::*;
use crate::domain_ui::DomainStep;
use crate::model::*;
use crate::timeline::Timeline;
use crate::ErrorBox;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use lockstep_domain::plan::NamePlan;
use lockstep_domain::project::REGIONS;
use lockstep_domain::{Field, FieldErrors, Framework, RunStatus};

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let projects = Resource::new(|| (), |_| list_projects());
    view! {
        <div class="page-head">
            <h1>"Projects"</h1>
            <A href="/projects/new" attr:class="button primary" attr:data-testid="new-project">"New project"</A>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading projects..."</p> }>
            {move || Suspend::new(async move {
                match projects.await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="empty">
                            <p>"No projects yet."</p>
                            <p class="muted">"A project is one deployment: a backend on EC2 and a frontend in S3. Create one to start the wizard."</p>
                        </div>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="cards">
                            {list.into_iter().map(|p| view! {
                                <li class="card">
                                    <A href=format!("/projects/{}", p.id)><strong>{p.name.clone()}</strong></A>
                                    <span class="muted">{format!(" {} · {}", p.region, p.zone_name.clone().unwrap_or_else(|| "no domain yet".into()))}</span>
                                    <span class="team-tag" data-testid="project-team">{format!("{} · {}", p.team_name, crate::account_ui::role_label(p.role))}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn NewProjectPage() -> impl IntoView {
    let create = ServerAction::<CreateProject>::new();
    let navigate = use_navigate();
    let errors = RwSignal::new(FieldErrors::default());
    let failure = RwSignal::new(None::<AppError>);
    Effect::new(move |_| match create.value().get() {
        Some(Ok(CreateOutcome::Created(id))) => {
            errors.set(FieldErrors::default());
            navigate(&format!("/projects/{id}"), Default::default());
        }
        Some(Ok(CreateOutcome::Invalid(e))) => {
            failure.set(None);
            errors.set(e)
        }
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    let err = move |f: Field| move || errors.with(|e| e.get(f).map(str::to_string));
    let port_hint = RwSignal::new(String::from("8000"));
    let env = Resource::new(|| (), |_| crate::api::environment());

    view! {
        <h1>"New project"</h1>
        <p class="muted">"Tell lockstep where your app runs today (over plain HTTP). Nothing is created in AWS yet."</p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                env.await.ok().and_then(|e| e.demo_instance).map(|id| view! {
                    <p class="notice">"Sandbox: the emulator has a demo EC2 instance in Seoul (ap-northeast-2) to try every path with: "
                        <code data-testid="demo-instance">{id}</code></p>
                })
            })}
        </Transition>
        {move || failure.get().map(|e| view! { <ErrorBox error=e/> })}
        <ActionForm action=create attr:class="form" attr:novalidate=true>
            <TeamChoice/>
            <FormField label="Project name" name="name" error=err(Field::Name)
                hint="Anything your team recognises.">
                <input name="name" id="name" placeholder="capstone-shop" autocomplete="off"/>
            </FormField>
            <FormField label="AWS region" name="region" error=err(Field::Region)
                hint="Where your EC2 instance runs.">
                <select name="region" id="region">
                    {REGIONS.iter().map(|(code, label)| view! {
                        <option value=*code selected=*code == "ap-northeast-2">{format!("{label} · {code}")}</option>
                    }).collect_view()}
                </select>
            </FormField>
            <FormField label="EC2 instance" name="instance" error=err(Field::Instance)
                hint="Its instance id (i-0abc...) or its public IPv4 address.">
                <input name="instance" id="instance" placeholder="i-0123456789abcdef0" autocomplete="off"/>
            </FormField>
            <FormField label="Framework" name="framework" error=err(Field::Framework)
                hint="Decides which settings lockstep tells you to change at the end.">
                <select name="framework" id="framework"
                    on:change=move |ev| {
                        if let Ok(f) = Framework::parse(&event_target_value(&ev)) {
                            port_hint.set(f.default_port().to_string());
                        }
                    }>
                    {Framework::ALL.into_iter().map(|f| view! { <option value=f.key()>{f.label()}</option> }).collect_view()}
                </select>
            </FormField>
            <FormField label="App port" name="app_port" error=err(Field::AppPort)
                hint="The port your backend listens on, on the instance.">
                <input name="app_port" id="app_port" inputmode="numeric" placeholder=move || port_hint.get()/>
            </FormField>
            <FormField label="Health path" name="health_path" error=err(Field::HealthPath)
                hint="A path that answers 200 when the app is up.">
                <input name="health_path" id="health_path" value="/health"/>
            </FormField>
            <FormField label="S3 bucket" name="bucket" error=err(Field::Bucket)
                hint="The bucket your built frontend (dist/) is uploaded to.">
                <input name="bucket" id="bucket" placeholder="capstone-shop-frontend" autocomplete="off"/>
            </FormField>
            <div class="actions">
                <button type="submit" class="button primary" data-testid="create-project" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { "Saving..." } else { "Create project" }}
                </button>
                <A href="/" attr:class="button">"Cancel"</A>
            </div>
        </ActionForm>
    }
}

/// The team the new project belongs to: the teams where the person may run the wizard.
#[component]
fn TeamChoice() -> impl IntoView {
    let session = Resource::new(|| (), |_| get_session_info());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let teams: Vec<TeamSummary> = session
                    .await
                    .ok()
                    .and_then(|s| s.me)
                    .map(|m| m.teams.into_iter().filter(|t| t.role != lockstep_domain::account::Role::Viewer).collect())
                    .unwrap_or_default();
                view! {
                    <div class="field">
                        <label for="team_id">"Team"</label>
                        <select name="team_id" id="team_id" data-testid="project-team-choice">
                            {teams.into_iter().map(|t| view! { <option value=t.id>{t.name}</option> }).collect_view()}
                        </select>
                        <p class="hint">"Everyone in the team sees the project and its history."</p>
                    </div>
                }
            })}
        </Suspense>
    }
}

/// A labelled field with its hint and, when the server refused the value, the reason beside it.
#[component]
pub(crate) fn FormField<E>(
    label: &'static str,
    name: &'static str,
    hint: &'static str,
    error: E,
    children: Children,
) -> impl IntoView
where
    E: Fn() -> Option<String> + Send + Sync + Copy + 'static,
{
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=name>{label}</label>
            {children()}
            {move || match error() {
                Some(msg) => view! { <p class="field-error" data-testid=format!("error-{name}") role="alert">{msg}</p> }.into_any(),
                None => view! { <p class="hint">{hint}</p> }.into_any(),
            }}
        </div>
    }
}

#[component]
pub fn ProjectPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let project = Resource::new(id, get_project);
    provide_context(crate::domain_ui::PlanRedo(RwSignal::new(Vec::new())));
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading project..."</p> }>
            {move || Suspend::new(async move {
                match project.await {
                    Ok(p) => view! { <ProjectBody project=p on_change=move || project.refetch()/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> <p><A href="/">"Back to your projects"</A></p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProjectBody(project: ProjectView, on_change: impl Fn() + Send + Sync + Copy + 'static) -> impl IntoView {
    let id = project.id.clone();
    let spec = project.spec.clone();
    let delete = ServerAction::<DeleteProject>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            navigate("/", Default::default());
        }
    });
    let plan = project.plan.clone();
    // A viewer's buttons are disabled (the server refuses their requests anyway).
    let viewer = project.role == lockstep_domain::account::Role::Viewer;
    let id_cert = id.clone();
    let id_doctor = id.clone();
    let id_ledger = id.clone();
    let id_teardown = id.clone();
    let id_history = id.clone();
    let id_status = id.clone();
    let project_for_paid = project.clone();
    let plan_for_paid = plan.clone();
    let has_plan = plan.is_some();
    let project_for_domain = project.clone();
    let project_for_free = project.clone();
    let plan_for_free = plan.clone();
    let project_for_front = project.clone();
    provide_context(crate::frontend_ui::FrontendRun(RwSignal::new(None)));
    let plan_for_front = plan.clone();
    view! {
        <div class="page-head">
            <h1 data-testid="project-name">{spec.name.clone()}</h1>
            <ActionForm action=delete attr:class="inline"
                on:submit=|ev| {
                    #[cfg(feature = "hydrate")]
                    {
                        let ok = web_sys::window()
                            .and_then(|w| w.confirm_with_message("Delete this project from lockstep? AWS resources it created are not touched by this.").ok())
                            .unwrap_or(true);
                        if !ok { ev.prevent_default(); }
                    }
                    #[cfg(not(feature = "hydrate"))]
                    let _ = ev;
                }>
                <input type="hidden" name="id" value=id.clone()/>
                <button type="submit" class="button danger" data-testid="delete-project">"Delete project"</button>
            </ActionForm>
        </div>
        {move || delete.value().get().and_then(Result::err).map(|e| view! { <ErrorBox error=e/> })}
        <p class="muted team-line">
            <A href=format!("/teams/{}", project.team_id)>{project.team_name.clone()}</A>
            {format!(" · you are {}", crate::account_ui::role_label(project.role))}
        </p>
        {viewer.then(|| view! {
            <p class="notice" data-testid="viewer-notice">"You are a viewer in this team: you see every step and its history, but cannot start or change anything. Ask a team owner to make you a member."</p>
        })}
        <fieldset class="steps" disabled=viewer>
        <dl class="facts">
            <dt>"Region"</dt><dd>{spec.region.to_string()}</dd>
            <dt>"Instance"</dt><dd>{spec.instance.to_string()}</dd>
            <dt>"Backend"</dt><dd>{format!("{} on port {}, health {}", spec.framework.label(), spec.app_port, spec.health_path)}</dd>
            <dt>"Frontend bucket"</dt><dd>{spec.bucket.to_string()}</dd>
        </dl>
        <section class="step-card">
            <h2>"1. Domain"</h2>
            <DomainStep project=project_for_domain on_change=on_change/>
        </section>
        <section class="step-card">
            <h2>"2. Certificate"</h2>
            {match plan {
                Some(p) => view! { <CertificateStep project_id=id_cert plan=p/> }.into_any(),
                None => view! { <p class="muted">"Choose a domain first: the certificate is issued for its names."</p> }.into_any(),
            }}
        </section>
        <section class="step-card" data-testid="step-doctor">
            <h2>"3. Check HTTPS"</h2>
            {if has_plan {
                view! { <crate::doctor_ui::DoctorPanel project_id=id_doctor/> }.into_any()
            } else {
                view! { <p class="muted">"Choose a domain first: the doctor checks the project's names."</p> }.into_any()
            }}
        </section>
        <section class="step-card" data-testid="step-free">
            <h2>"4. HTTPS on the instance: Nginx + Certbot (free)"</h2>
            {match plan_for_free {
                Some(p) => view! { <crate::freepath_ui::FreePathPanel project=project_for_free plan=p/> }.into_any(),
                None => view! { <p class="muted">"Choose a domain (or a free nip.io name) first: nginx serves the project's API name."</p> }.into_any(),
            }}
        </section>
        <section class="step-card" data-testid="step-paid">
            <h2>"4b. Or: a load balancer with ACM (paid)"</h2>
            {match plan_for_paid {
                Some(p) => view! { <crate::paid_ui::PaidPathPanel project=project_for_paid plan=p/> }.into_any(),
                None => view! { <p class="muted">"Choose your domain first."</p> }.into_any(),
            }}
        </section>
        <section class="step-card" data-testid="step-frontend">
            <h2>"5. Frontend: CloudFront in front of S3"</h2>
            {match plan_for_front {
                Some(p) => view! { <crate::frontend_ui::FrontendPanel project=project_for_front plan=p/> }.into_any(),
                None => view! { <p class="muted">"Choose a domain (or a free nip.io name) first."</p> }.into_any(),
            }}
        </section>
        <section class="step-card" data-testid="step-ledger">
            <h2>"What lockstep created in your account"</h2>
            <crate::ledger_ui::LedgerPanel project_id=id_ledger/>
        </section>
        <section class="step-card" data-testid="step-teardown">
            <h2>"6. Tear down"</h2>
            <crate::teardown_ui::TeardownPanel project_id=id_teardown/>
        </section>
        </fieldset>
        <section class="step-card" data-testid="step-status">
            <h2>"Status page and alerts"</h2>
            <crate::status_ui::StatusPanel project_id=id_status role=project.role/>
        </section>
        <section class="step-card" data-testid="step-history">
            <h2>"History"</h2>
            <p class="muted">"Everything anyone in the team did here, and every call lockstep made to AWS for it."</p>
            <crate::history_ui::HistoryPanel project_id=id_history/>
        </section>
    }
}

#[component]
fn CertificateStep(project_id: String, plan: NamePlan) -> impl IntoView {
    let pid = project_id.clone();
    let latest = Resource::new(move || pid.clone(), latest_run);
    let start = ServerAction::<StartCertificate>::new();
    let run = RwSignal::new(None);
    Effect::new(move |_| {
        if let Some(Ok(r)) = start.value().get() {
            run.set(Some(r));
        }
    });
    if !plan.source.has_zone() {
        return view! {
            <p class="muted" data-testid="cert-magic">{format!(
                "{} is a free name: its certificate comes from Let's Encrypt on your instance (the Nginx + Certbot path), not from ACM.",
                plan.apex
            )}</p>
        }
        .into_any();
    }
    let names = plan.all_names().iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ");
    view! {
        <p>"An ACM certificate in us-east-1 for " <code>{names}</code> ", validated through DNS in your hosted zone."</p>
        <Transition fallback=|| view! { <p class="muted">"Loading..."</p> }>
            {move || {
                let project_id = project_id.clone();
                Suspend::new(async move {
                match latest.await {
                    Ok(initial) => {
                        if run.get_untracked().is_none() {
                            run.set(initial);
                        }
                        let can_start = move || run.with(|r| r.as_ref().is_none_or(|r| r.status == RunStatus::Failed));
                        let again = move || run.with(|r| r.is_some());
                        let button = move || {
                            let project_id = project_id.clone();
                            can_start().then(move || view! {
                                <ActionForm action=start>
                                    <input type="hidden" name="project_id" value=project_id/>
                                    <button type="submit" class="button primary" data-testid="start-certificate"
                                        disabled=move || start.pending().get()>
                                        {move || if again() { "Request the certificate again" } else { "Request the certificate" }}
                                    </button>
                                </ActionForm>
                            })
                        };
                        view! {
                            {button}
                            <Timeline run=run/>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}}
        </Transition>
        {move || start.value().get().and_then(Result::err).map(|e| view! { <ErrorBox error=e/> })}
    }
    .into_any()
}
