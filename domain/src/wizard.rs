//! The project page as a wizard (issue 22): which steps a project has, in which order, and
//! where the student is: done / now / next / blocked, one current step at a time.
//!
//! Pure: the server gathers the facts (the name plan, the chosen path, each step's latest run),
//! [`wizard`] decides. The browser shows the answer; the same answer comes back after a reload.

use crate::text::{msg, Message};
use serde::{Deserialize, Serialize};

/// How HTTPS reaches the backend: chosen once the domain is known, changeable later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendPath {
    /// Nginx + Certbot (Let's Encrypt) on the instance itself: no monthly cost.
    Free,
    /// An Application Load Balancer with an ACM certificate in front of the instance.
    Paid,
}

impl BackendPath {
    pub fn key(self) -> &'static str {
        match self {
            BackendPath::Free => "free",
            BackendPath::Paid => "paid",
        }
    }

    pub fn from_key(key: &str) -> Option<BackendPath> {
        match key {
            "free" => Some(BackendPath::Free),
            "paid" => Some(BackendPath::Paid),
            _ => None,
        }
    }

    /// The other path (what a change of path leaves behind).
    pub fn other(self) -> BackendPath {
        match self {
            BackendPath::Free => BackendPath::Paid,
            BackendPath::Paid => BackendPath::Free,
        }
    }

    /// Its name in a sentence.
    pub fn said(self) -> Message {
        match self {
            BackendPath::Free => msg("Free: Nginx + Certbot on the instance", "무료: 인스턴스의 Nginx + Certbot"),
            BackendPath::Paid => msg("Paid: a load balancer (ALB) with ACM", "유료: 로드 밸런서(ALB) + ACM"),
        }
    }
}

/// One step of the wizard, in the order a project goes through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WizardStep {
    /// The names: a Route 53 zone, a bought domain, another registrar, a free name or the IP.
    Domain,
    /// Free or paid.
    Path,
    /// "HTTPS for the backend", before a path is chosen (which steps it takes depends on it).
    Backend,
    /// Paid: the ALB with its own certificate (ACM, the instance's region), its listeners and
    /// the alias record.
    LoadBalancer,
    /// The frontend's certificate: ACM in us-east-1 (where CloudFront takes them from), for
    /// every name of the plan. Either path.
    Certificate,
    /// Free: Nginx and Certbot on the instance.
    InstanceHttps,
    /// CloudFront in front of the S3 bucket.
    Frontend,
    /// The HTTPS check of every name: last, after everything it checks exists.
    Check,
}

impl WizardStep {
    /// Its key in the page (`data-step`) and in tests.
    pub fn key(self) -> &'static str {
        match self {
            WizardStep::Domain => "domain",
            WizardStep::Path => "path",
            WizardStep::Backend => "backend",
            WizardStep::Certificate => "certificate",
            WizardStep::LoadBalancer => "load_balancer",
            WizardStep::InstanceHttps => "instance_https",
            WizardStep::Frontend => "frontend",
            WizardStep::Check => "check",
        }
    }

    /// Its title, without the number.
    pub fn title(self) -> Message {
        match self {
            WizardStep::Domain => msg("Domain", "도메인"),
            WizardStep::Path => msg("Free or paid HTTPS for the backend", "백엔드 HTTPS: 무료 또는 유료"),
            WizardStep::Backend => msg("HTTPS for the backend", "백엔드 HTTPS"),
            WizardStep::Certificate => {
                msg("Certificate for CloudFront (ACM, us-east-1)", "CloudFront용 인증서(ACM, us-east-1)")
            }
            WizardStep::LoadBalancer => msg("Load balancer (ALB)", "로드 밸런서(ALB)"),
            WizardStep::InstanceHttps => {
                msg("HTTPS on the instance: Nginx + Certbot", "인스턴스의 HTTPS: Nginx + Certbot")
            }
            WizardStep::Frontend => msg("Frontend: CloudFront in front of S3", "프론트엔드: S3 앞의 CloudFront"),
            WizardStep::Check => msg("Check HTTPS", "HTTPS 확인"),
        }
    }
}

/// The steps of a project on `path`, in order (before a path is chosen, one placeholder
/// stands for the backend's step).
pub fn steps_for(path: Option<BackendPath>) -> Vec<WizardStep> {
    use WizardStep::*;
    let backend = match path {
        None => Backend,
        Some(BackendPath::Free) => InstanceHttps,
        Some(BackendPath::Paid) => LoadBalancer,
    };
    vec![Domain, Path, backend, Certificate, Frontend, Check]
}

/// Where the student is with a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Done,
    /// The first step not done: open, with the one primary action on the page.
    Now,
    /// The step after the current one.
    Next,
    /// Waits for earlier steps.
    Blocked,
}

impl StepState {
    pub fn key(self) -> &'static str {
        match self {
            StepState::Done => "done",
            StepState::Now => "now",
            StepState::Next => "next",
            StepState::Blocked => "blocked",
        }
    }

    pub fn said(self) -> Message {
        match self {
            StepState::Done => msg("done", "완료"),
            StepState::Now => msg("now", "지금"),
            StepState::Next => msg("next", "다음"),
            StepState::Blocked => msg("waits for the steps above", "위 단계를 기다림"),
        }
    }
}

/// What the latest run of a step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    #[default]
    NotStarted,
    Running,
    /// Stopped on an error (or cancelled): Retry is in the step.
    Failed,
    Succeeded,
}

/// One step's facts, gathered by the server.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StepFact {
    pub progress: Progress,
    /// Whether the step counts as done (a succeeded run, or what it made is otherwise there).
    pub done: bool,
    /// Its one-line result, shown when the step is folded.
    pub result: Option<Message>,
}

impl StepFact {
    /// A step whose latest run decides it: done when that run succeeded.
    pub fn from_run(progress: Progress, result: Option<Message>) -> StepFact {
        StepFact { progress, done: progress == Progress::Succeeded, result }
    }
}

/// Everything [`wizard`] needs, per step.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WizardFacts {
    pub path: Option<BackendPath>,
    pub facts: Vec<(WizardStep, StepFact)>,
}

impl WizardFacts {
    fn of(&self, step: WizardStep) -> StepFact {
        self.facts.iter().find(|(s, _)| *s == step).map(|(_, f)| f.clone()).unwrap_or_default()
    }
}

/// A step as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepLine {
    pub step: WizardStep,
    /// 1-based, as shown.
    pub number: usize,
    pub state: StepState,
    pub progress: Progress,
    pub result: Option<Message>,
}

/// The whole stepper.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Wizard {
    pub path: Option<BackendPath>,
    pub steps: Vec<StepLine>,
}

impl Wizard {
    /// Every step done, the check last: the "Verified" screen.
    pub fn verified(&self) -> bool {
        !self.steps.is_empty() && self.steps.iter().all(|s| s.state == StepState::Done)
    }

    /// The current step, if any.
    pub fn now(&self) -> Option<&StepLine> {
        self.steps.iter().find(|s| s.state == StepState::Now)
    }

    pub fn state_of(&self, step: WizardStep) -> Option<StepState> {
        self.steps.iter().find(|s| s.step == step).map(|s| s.state)
    }

    pub fn line(&self, step: WizardStep) -> Option<&StepLine> {
        self.steps.iter().find(|s| s.step == step)
    }
}

/// The stepper for `facts`: each step of the chosen path in order; the first one not done is
/// "now", the one after it "next", later ones "blocked". A step done out of order (a frontend
/// made before the backend) stays done.
pub fn wizard(facts: &WizardFacts) -> Wizard {
    let mut seen_open = 0;
    let steps = steps_for(facts.path)
        .into_iter()
        .enumerate()
        .map(|(i, step)| {
            let fact = facts.of(step);
            // The path is a choice, not a run: chosen is done.
            let done = match step {
                WizardStep::Path => facts.path.is_some(),
                WizardStep::Backend => false,
                _ => fact.done,
            };
            let state = if done {
                StepState::Done
            } else {
                seen_open += 1;
                match seen_open {
                    1 => StepState::Now,
                    2 => StepState::Next,
                    _ => StepState::Blocked,
                }
            };
            let result = match step {
                WizardStep::Path => facts.path.map(BackendPath::said),
                _ => fact.result,
            };
            StepLine { step, number: i + 1, state, progress: fact.progress, result }
        })
        .collect();
    Wizard { path: facts.path, steps }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(step: WizardStep) -> (WizardStep, StepFact) {
        (step, StepFact::from_run(Progress::Succeeded, Some(msg("ok", "ok"))))
    }

    fn states(w: &Wizard) -> Vec<(&'static str, &'static str)> {
        w.steps.iter().map(|s| (s.step.key(), s.state.key())).collect()
    }

    #[test]
    fn a_new_project_is_on_the_domain_with_the_path_next() {
        let w = wizard(&WizardFacts::default());
        assert_eq!(
            states(&w),
            [
                ("domain", "now"),
                ("path", "next"),
                ("backend", "blocked"),
                ("certificate", "blocked"),
                ("frontend", "blocked"),
                ("check", "blocked")
            ]
        );
        assert!(!w.verified());
        assert_eq!(w.now().map(|s| s.step), Some(WizardStep::Domain));
    }

    #[test]
    fn only_the_chosen_paths_steps_are_shown_and_the_check_comes_last() {
        let free = steps_for(Some(BackendPath::Free));
        assert!(free.contains(&WizardStep::InstanceHttps));
        assert!(!free.contains(&WizardStep::LoadBalancer));
        let paid = steps_for(Some(BackendPath::Paid));
        assert!(paid.contains(&WizardStep::LoadBalancer));
        assert!(!paid.contains(&WizardStep::InstanceHttps));
        // The frontend's certificate on either path, before the frontend.
        for steps in [&free, &paid] {
            let at = |s| steps.iter().position(|x| *x == s);
            assert!(at(WizardStep::Certificate) < at(WizardStep::Frontend));
        }
        for steps in [free, paid, steps_for(None)] {
            assert_eq!(steps.last(), Some(&WizardStep::Check));
            assert_eq!(steps[0], WizardStep::Domain);
        }
    }

    #[test]
    fn the_first_step_not_done_is_now_and_only_one_is() {
        let facts = WizardFacts {
            path: Some(BackendPath::Paid),
            facts: vec![done(WizardStep::Domain), done(WizardStep::LoadBalancer)],
        };
        let w = wizard(&facts);
        assert_eq!(
            states(&w),
            [
                ("domain", "done"),
                ("path", "done"),
                ("load_balancer", "done"),
                ("certificate", "now"),
                ("frontend", "next"),
                ("check", "blocked")
            ]
        );
        assert_eq!(w.steps.iter().filter(|s| s.state == StepState::Now).count(), 1);
        assert_eq!(w.line(WizardStep::Path).and_then(|l| l.result.clone()), Some(BackendPath::Paid.said()));
        assert_eq!(w.steps.iter().map(|s| s.number).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn a_failed_run_keeps_its_step_current_and_a_step_done_out_of_order_stays_done() {
        let facts = WizardFacts {
            path: Some(BackendPath::Free),
            facts: vec![
                done(WizardStep::Domain),
                (WizardStep::InstanceHttps, StepFact::from_run(Progress::Failed, None)),
                done(WizardStep::Frontend),
            ],
        };
        let w = wizard(&facts);
        assert_eq!(
            states(&w),
            [
                ("domain", "done"),
                ("path", "done"),
                ("instance_https", "now"),
                ("certificate", "next"),
                ("frontend", "done"),
                ("check", "blocked")
            ]
        );
        assert_eq!(w.line(WizardStep::InstanceHttps).map(|l| l.progress), Some(Progress::Failed));
    }

    #[test]
    fn everything_done_is_verified() {
        let facts = WizardFacts {
            path: Some(BackendPath::Free),
            facts: vec![
                done(WizardStep::Domain),
                done(WizardStep::InstanceHttps),
                done(WizardStep::Certificate),
                done(WizardStep::Frontend),
                done(WizardStep::Check),
            ],
        };
        let w = wizard(&facts);
        assert!(w.verified());
        assert_eq!(w.now(), None);
        // Without the check, not verified.
        let mut facts = facts;
        facts.facts.pop();
        assert!(!wizard(&facts).verified());
    }

    #[test]
    fn path_keys_round_trip() {
        for p in [BackendPath::Free, BackendPath::Paid] {
            assert_eq!(BackendPath::from_key(p.key()), Some(p));
            assert_eq!(p.other().other(), p);
        }
        assert_eq!(BackendPath::from_key("alb"), None);
    }
}
