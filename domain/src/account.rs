//! People and teams: roles, what each role may do, and the sign-up / sign-in forms parsed at
//! the edge (every field's problem at once, nothing typed is lost).

use serde::{Deserialize, Serialize};

pub use crate::text::{msg, Message};

/// A member's role in a team. Owners manage the team and may destroy things; members run the
/// wizard; viewers watch (history, timelines, status) and change nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    Viewer,
    Member,
    Owner,
}

/// What an action needs of the caller's role in the project's team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Read the project, its runs, history and plans.
    Read,
    /// Start, retry or re-check steps; change the project's plan.
    Act,
    /// Destroy (teardown, delete the project) and manage the team.
    Manage,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Member, Role::Viewer];

    pub fn key(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    pub fn from_key(key: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == key)
    }

    pub fn allows(self, need: Need) -> bool {
        match need {
            Need::Read => true,
            Need::Act => self >= Role::Member,
            Need::Manage => self == Role::Owner,
        }
    }

    /// The least role that may do `need`.
    pub fn least_for(need: Need) -> Role {
        match need {
            Need::Read => Role::Viewer,
            Need::Act => Role::Member,
            Need::Manage => Role::Owner,
        }
    }
}

/// One bad field of a form, by its `name` attribute: what is wrong, in English and in Korean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ko: Option<String>,
}

impl FieldProblem {
    pub fn new(field: &str, m: Message) -> FieldProblem {
        FieldProblem { field: field.into(), message: m.en, ko: Some(m.ko) }
    }
    /// The message in Korean when `korean` (where written), else in English.
    pub fn said(&self, korean: bool) -> &str {
        match (&self.ko, korean) {
            (Some(ko), true) => ko,
            _ => &self.message,
        }
    }
}

fn problem(field: &str, m: Message) -> FieldProblem {
    FieldProblem::new(field, m)
}

/// Shortest password accepted (NIST SP 800-63B asks for at least 8; a team shares AWS power).
pub const MIN_PASSWORD: usize = 10;
/// Longest password accepted: long enough for any pass phrase, short enough that hashing one
/// cannot be used to tie the server up.
pub const MAX_PASSWORD: usize = 256;

/// An e-mail address, trimmed and lower-cased (the sign-in key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, Message> {
        let e = raw.trim().to_lowercase();
        if e.is_empty() {
            return Err(msg("Enter your e-mail address.", "이메일 주소를 입력하세요."));
        }
        if e.len() > 254 || e.chars().any(char::is_whitespace) {
            return Err(msg(
                "This is not an e-mail address: it has spaces or is too long.",
                "이메일 주소가 아닙니다: 공백이 있거나 너무 깁니다.",
            ));
        }
        match e.split_once('@') {
            Some((local, domain))
                if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') =>
            {
                Ok(Email(e))
            }
            _ => Err(msg(
                "This is not an e-mail address: write it like you@university.ac.kr.",
                "이메일 주소가 아닙니다: you@university.ac.kr 처럼 쓰세요.",
            )),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// What follows the `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

/// The sign-up (and first-run) form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignUpForm {
    pub name: String,
    pub email: String,
    pub password: String,
    /// The new team's name; ignored when joining through an invite.
    pub team: String,
}

/// A checked sign-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUp {
    pub name: String,
    pub email: Email,
    pub password: String,
    pub team: Option<String>,
}

/// `what`: the field in English and in Korean ("your name", "이름").
fn display_name(raw: &str, field: &str, what: (&str, &str), errors: &mut Vec<FieldProblem>) -> String {
    let v = raw.trim().to_string();
    let (en, ko) = what;
    if v.is_empty() {
        errors.push(problem(field, msg(format!("Enter {en}."), format!("{ko}을(를) 입력하세요."))));
    } else if v.chars().count() > 80 {
        errors.push(problem(
            field,
            msg(format!("Keep {en} under 80 characters."), format!("{ko}은(는) 80자 이내로 쓰세요.")),
        ));
    } else if v.chars().any(char::is_control) {
        errors.push(problem(
            field,
            msg(
                format!("{} has a control character in it; type it again.", capital(en)),
                format!("{ko}에 제어 문자가 들어 있습니다. 다시 입력하세요."),
            ),
        ));
    }
    v
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// Checks a password's length (the only rule: long beats complicated).
pub fn check_password(password: &str) -> Result<(), Message> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        Err(msg(
            format!(
                "Use at least {MIN_PASSWORD} characters (yours has {n}). A few words in a row is easy to remember and hard to guess."
            ),
            format!("{MIN_PASSWORD}자 이상으로 정하세요 (지금 {n}자). 단어 몇 개를 이어 쓰면 기억하기 쉽고 추측하기 어렵습니다."),
        ))
    } else if password.len() > MAX_PASSWORD {
        Err(msg(format!("Use at most {MAX_PASSWORD} characters."), format!("{MAX_PASSWORD}자 이하로 정하세요.")))
    } else {
        Ok(())
    }
}

impl SignUpForm {
    /// `with_team`: a new team is made (first run, plain sign-up), so its name is required.
    pub fn parse(&self, with_team: bool) -> Result<SignUp, Vec<FieldProblem>> {
        let mut errors = Vec::new();
        let name = display_name(&self.name, "name", ("your name", "이름"), &mut errors);
        let email = Email::parse(&self.email).map_err(|m| errors.push(problem("email", m))).ok();
        if let Err(m) = check_password(&self.password) {
            errors.push(problem("password", m));
        }
        let team = with_team.then(|| display_name(&self.team, "team", ("a team name", "팀 이름"), &mut errors));
        match email {
            Some(email) if errors.is_empty() => Ok(SignUp { name, email, password: self.password.clone(), team }),
            _ => Err(errors),
        }
    }
}

/// A team's own AWS access: the role lockstep assumes (with the team's external id) for every
/// AWS call made for the team's projects. Without one, the server's own credentials are used.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AwsRole {
    pub role_arn: String,
    pub external_id: String,
    /// The STS session name: `lockstep-<team id>`, so CloudTrail shows which team acted.
    pub session_name: String,
}

impl AwsRole {
    pub fn for_team(team_id: &str, role_arn: &str, external_id: &str) -> AwsRole {
        // Session names allow [\w+=,.@-], 2 to 64 characters.
        let id: String =
            team_id.chars().filter(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(*c)).take(54).collect();
        AwsRole {
            role_arn: role_arn.to_string(),
            external_id: external_id.to_string(),
            session_name: format!("lockstep-{id}"),
        }
    }
}

/// The trust policy a team's role needs, ready to paste into IAM ("Trust relationships"): it
/// lets the AWS account lockstep runs in (`lockstep_account`, 12 digits) assume the role, only
/// with the team's external id.
pub fn trust_policy(lockstep_account: &str, external_id: &str) -> String {
    // Written out rather than through serde_json, which this crate (also built for the
    // browser) does not otherwise need; both values are escaped as JSON strings.
    fn json_string(s: &str) -> String {
        let mut out = String::from('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }
    let principal = json_string(&format!("arn:aws:iam::{lockstep_account}:root"));
    let external_id = json_string(external_id);
    format!(
        r#"{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Effect": "Allow",
      "Principal": {{ "AWS": {principal} }},
      "Action": "sts:AssumeRole",
      "Condition": {{ "StringEquals": {{ "sts:ExternalId": {external_id} }} }}
    }}
  ]
}}"#
    )
}

/// Checks a role ARN's shape: `arn:aws:iam::<12 digits>:role/<name>` (partition aws, aws-cn or
/// aws-us-gov; a path is allowed).
pub fn check_role_arn(arn: &str) -> Result<(), Message> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && ["aws", "aws-cn", "aws-us-gov"].contains(&parts[1])
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5].strip_prefix("role/").is_some_and(|n| !n.is_empty() && !n.ends_with('/'));
    if ok {
        Ok(())
    } else {
        Err(msg(
            "A role ARN looks like arn:aws:iam::123456789012:role/lockstep (copy it from the role's page in IAM).",
            "역할 ARN은 arn:aws:iam::123456789012:role/lockstep 같은 모양입니다 (IAM의 역할 페이지에서 복사하세요).",
        ))
    }
}

/// Throttling of sign-in and sign-up, counted in the database per key (`sign-in:account:EMAIL`,
/// `sign-in:address:IP`, `sign-up:address:IP`).
///
/// Each attempt is counted *before* the password is checked or hashed, in one statement that
/// adds it and returns the new count (see `Directory::count_attempt`): of 20 guesses sent at
/// once, each gets its own number, and only the first [`PER_ACCOUNT`] are checked. Reading the
/// count first and recording a failure afterwards (check, then act) let parallel guesses all
/// read "4" and all go through.
pub mod throttle {
    /// The window sign-in attempts are counted in.
    pub const WINDOW_MS: i64 = 15 * 60 * 1000;
    /// Password checks for one account within the window; more wait until it ends.
    pub const PER_ACCOUNT: i64 = 5;
    /// Failed sign-ins from one address within the window (a class shares a NAT, so higher).
    pub const PER_ADDRESS: i64 = 30;
    /// The window sign-ups are counted in.
    pub const SIGN_UP_WINDOW_MS: i64 = 60 * 60 * 1000;
    /// Sign-ups from one address within an hour. Each costs a password hash (19 MiB of memory
    /// for a moment); a class signing up together in one lab (one NAT) still fits.
    pub const SIGN_UPS_PER_ADDRESS: i64 = 50;
    /// No window is longer: counters this old are deleted.
    pub const LONGEST_WINDOW_MS: i64 = SIGN_UP_WINDOW_MS;

    /// One attempt, counted: it is the `count`th of the window that began at `window_start`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Counted {
        pub count: i64,
        pub window_start: i64,
    }

    impl Counted {
        /// `Some(minutes to wait)` when this attempt is over `limit` (the window of `window_ms`
        /// must end first), `None` when it may go ahead.
        pub fn wait_minutes(self, limit: i64, window_ms: i64, now: i64) -> Option<i64> {
            if self.count <= limit {
                return None;
            }
            let left = self.window_start + window_ms - now;
            Some(((left as f64) / 60_000.0).ceil().max(1.0) as i64)
        }
    }
}

/// Who may sign up without an invite link: addresses at these e-mail domains (or their
/// subdomains), as the operator set them (`--signup-domains ac.kr,example.edu`). Empty: only
/// people with an invite link may sign up (the first owner comes through the first-run page).
///
/// Nobody's address is verified (lockstep sends no mail), so the list keeps out people who
/// are honestly elsewhere, not someone who types an address they do not own; invites are the
/// strong gate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupDomains(Vec<String>);

impl SignupDomains {
    /// Parses the operator's list (items may carry a leading `@` or `.`, and spaces).
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<SignupDomains, String> {
        let mut out: Vec<String> = Vec::new();
        for raw in items {
            let d = raw.as_ref().trim().trim_start_matches('@').trim_start_matches('.').to_ascii_lowercase();
            if d.is_empty() {
                continue;
            }
            let label_ok = |l: &str| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            };
            if d.len() > 253 || !d.split('.').all(label_ok) {
                return Err(format!(
                    "--signup-domains: \u{201c}{}\u{201d} is not an e-mail domain. Write the domains after the @, separated by commas, e.g. ac.kr,example.edu",
                    raw.as_ref().trim()
                ));
            }
            if !out.contains(&d) {
                out.push(d);
            }
        }
        Ok(SignupDomains(out))
    }

    /// Whether `email` is at one of the domains or a subdomain of one (`cs.snu.ac.kr` is under
    /// `ac.kr`; `evil-ac.kr` and `ac.kr.evil.com` are not).
    pub fn allows(&self, email: &Email) -> bool {
        let domain = email.domain();
        self.0.iter().any(|d| domain == d || domain.strip_suffix(d.as_str()).is_some_and(|rest| rest.ends_with('.')))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn domains(&self) -> &[String] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trust_policy_names_lockstep_s_account_and_requires_the_external_id() {
        let p: serde_json::Value = serde_json::from_str(&trust_policy("210987654321", "lockstep-abc")).unwrap();
        let s = &p["Statement"][0];
        assert_eq!(p["Version"], "2012-10-17");
        assert_eq!(s["Effect"], "Allow");
        assert_eq!(s["Action"], "sts:AssumeRole");
        assert_eq!(s["Principal"]["AWS"], "arn:aws:iam::210987654321:root");
        assert_eq!(s["Condition"]["StringEquals"]["sts:ExternalId"], "lockstep-abc");
        // Whatever the id holds, the policy stays valid JSON saying exactly that.
        let odd = trust_policy("210987654321", "a\"b\\c\n");
        let p: serde_json::Value = serde_json::from_str(&odd).unwrap();
        assert_eq!(p["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"], "a\"b\\c\n");
    }

    #[test]
    fn roles_allow_what_they_should() {
        assert!(Role::Viewer.allows(Need::Read));
        assert!(!Role::Viewer.allows(Need::Act));
        assert!(Role::Member.allows(Need::Act));
        assert!(!Role::Member.allows(Need::Manage));
        assert!(Role::Owner.allows(Need::Manage));
        for r in Role::ALL {
            assert_eq!(Role::from_key(r.key()), Some(r));
            assert!(r.allows(Need::Read));
        }
        assert_eq!(Role::from_key("admin"), None);
    }

    #[test]
    fn sign_up_reports_every_field_at_once() {
        let bad = SignUpForm { name: " ".into(), email: "nope".into(), password: "short".into(), team: "".into() };
        let errors = bad.parse(true).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "password", "team"]);
        assert!(errors[2].message.contains("yours has 5"));
        // Joining a team by invite needs no team name.
        let ok = SignUpForm {
            name: "Minji".into(),
            email: " Minji@Uni.AC.kr ".into(),
            password: "correct horse battery".into(),
            team: String::new(),
        };
        let s = ok.parse(false).unwrap();
        assert_eq!(s.email.as_str(), "minji@uni.ac.kr");
        assert_eq!(s.team, None);
        assert!(ok.parse(true).is_err());
    }

    #[test]
    fn throttle_lets_the_first_attempts_of_a_window_through() {
        let start = 100 * 60_000;
        let at = |count| throttle::Counted { count, window_start: start };
        assert_eq!(at(5).wait_minutes(5, throttle::WINDOW_MS, start + 1000), None);
        // The sixth waits until the window that began with the first ends.
        assert_eq!(at(6).wait_minutes(5, throttle::WINDOW_MS, start + 60_000), Some(14));
        assert_eq!(at(60).wait_minutes(5, throttle::WINDOW_MS, start + throttle::WINDOW_MS - 1), Some(1));
    }

    #[test]
    fn signup_domains_cover_the_domain_and_its_subdomains_only() {
        let list = SignupDomains::parse(&[" ac.kr", "@Example.EDU", "", ".ac.kr"]).unwrap();
        assert_eq!(list.domains(), ["ac.kr", "example.edu"]);
        let e = |s: &str| Email::parse(s).unwrap();
        assert!(list.allows(&e("minji@ac.kr")));
        assert!(list.allows(&e("minji@cs.snu.ac.kr")));
        assert!(list.allows(&e("prof@example.edu")));
        assert!(!list.allows(&e("minji@evil-ac.kr")));
        assert!(!list.allows(&e("minji@ac.kr.evil.com")));
        assert!(!list.allows(&e("minji@gmail.com")));
        assert!(!SignupDomains::default().allows(&e("minji@ac.kr")), "empty: invites only");
        for bad in ["*.ac.kr", "ac..kr", "ac kr", "-ac.kr", "minji@ac.kr@x"] {
            assert!(SignupDomains::parse(&[bad]).is_err(), "{bad}");
        }
    }
}
