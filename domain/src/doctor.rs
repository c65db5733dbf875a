//! The HTTPS doctor's report: what each check saw, whether it passes, and what to do.
//!
//! The checks themselves run in `lockstep-doctor` (they need the network); the report lives here
//! so the browser renders the same structure the CLI prints and the server stores per run.

use serde::{Deserialize, Serialize};
use std::fmt;

mod grade;
pub use grade::{subject_host, Effect, GradeReason, HostGrade, Letter};

/// A check's outcome. Ordered by severity: the worst of a report decides the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Not run: a check it depends on failed first, or the input it needs was not given.
    Skip,
    Pass,
    /// Works today, but something will bite (expiry soon, cookies a browser may drop, ...).
    Warn,
    /// A browser (or ACM, or certbot) will fail here.
    Fail,
}

impl Verdict {
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Skip => "skip",
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// What a check looks at, for grouping in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Dns,
    Tcp,
    Tls,
    Http,
    Cors,
    Cookies,
    MixedContent,
    Freshness,
    Aws,
}

impl Area {
    pub fn label(self) -> &'static str {
        match self {
            Area::Dns => "DNS",
            Area::Tcp => "Ports",
            Area::Tls => "Certificate / TLS",
            Area::Http => "HTTP",
            Area::Cors => "CORS",
            Area::Cookies => "Cookies",
            Area::MixedContent => "Mixed content",
            Area::Freshness => "Freshness",
            Area::Aws => "AWS",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable id of the check, e.g. `tls.certificate`.
    pub check: String,
    /// Stable id of what was found, e.g. `expired`, `ok`: tests and translations key on it.
    pub code: String,
    pub area: Area,
    /// The host, address or URL the check looked at.
    pub subject: String,
    pub verdict: Verdict,
    /// One line: what was found.
    pub title: String,
    /// What the check saw (status lines, headers, certificate fields), verbatim where possible.
    pub evidence: Vec<String>,
    /// Why it matters, in plain words.
    pub why: Option<String>,
    /// What to change.
    pub fix: Option<String>,
    pub millis: u32,
    /// The certificate's notAfter (Unix ms), on `tls.expiry` findings: the status page counts
    /// the days and the expiry alerts key on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at_ms: Option<i64>,
    /// The certificate's notBefore (Unix ms), on `tls.expiry` findings: with `expires_at_ms`, the
    /// certificate's lifetime, which the status page's alerts and re-checks scale with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from_ms: Option<i64>,
    /// Title, why and fix in Korean, where written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ko: Option<Box<crate::run::Said>>,
}

impl Finding {
    pub fn new(check: &str, code: &str, area: Area, subject: impl Into<String>, verdict: Verdict) -> Finding {
        Finding {
            check: check.to_string(),
            code: code.to_string(),
            area,
            subject: subject.into(),
            verdict,
            title: String::new(),
            evidence: Vec::new(),
            why: None,
            fix: None,
            millis: 0,
            expires_at_ms: None,
            valid_from_ms: None,
            // Set by `.ko(...)`: `server/tests/texts_korean.rs` checks every finding has it.
            ko: Default::default(),
        }
    }
    /// The finding's title, why and fix in Korean (`what` is the title).
    pub fn ko(mut self, title: impl Into<String>, why: impl Into<String>, fix: impl Into<String>) -> Finding {
        self.ko = crate::run::ko(title, why, fix);
        self
    }
    /// Title, why and fix in Korean when `korean` and written, else in English.
    pub fn said(&self, korean: bool) -> (&str, Option<&str>, Option<&str>) {
        fn nonempty(s: &str) -> Option<&str> {
            (!s.is_empty()).then_some(s)
        }
        match (&self.ko, korean) {
            (Some(k), true) => {
                (&k.what, nonempty(&k.why).or(self.why.as_deref()), nonempty(&k.fix).or(self.fix.as_deref()))
            }
            _ => (&self.title, self.why.as_deref(), self.fix.as_deref()),
        }
    }
    pub fn title(mut self, t: impl Into<String>) -> Finding {
        self.title = t.into();
        self
    }
    pub fn evidence(mut self, e: impl Into<String>) -> Finding {
        self.evidence.push(e.into());
        self
    }
    pub fn why(mut self, w: impl Into<String>) -> Finding {
        self.why = Some(w.into());
        self
    }
    pub fn fix(mut self, f: impl Into<String>) -> Finding {
        self.fix = Some(f.into());
        self
    }
    pub fn expires_at(mut self, unix_ms: i64) -> Self {
        self.expires_at_ms = Some(unix_ms);
        self
    }
    pub fn valid_from(mut self, unix_ms: i64) -> Self {
        self.valid_from_ms = Some(unix_ms);
        self
    }
}

/// Everything one doctor run found.
///
/// Serialised with its [`Report::grades`] (`"grades"`), which are computed from the findings and
/// ignored when read back: a stored report always gets the grades of today's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "ReportJson")]
pub struct Report {
    /// The URL checked (the API, or the only URL given).
    pub target: String,
    /// The frontend origin, when given.
    pub origin: Option<String>,
    /// RFC 3339, UTC.
    pub checked_at: String,
    pub millis: u32,
    pub findings: Vec<Finding>,
}

/// [`Report`] as written out: its fields and its grades.
#[derive(Serialize)]
struct ReportJson {
    target: String,
    origin: Option<String>,
    checked_at: String,
    millis: u32,
    findings: Vec<Finding>,
    grades: Vec<HostGrade>,
}

impl From<Report> for ReportJson {
    fn from(r: Report) -> ReportJson {
        let grades = r.grades();
        ReportJson {
            target: r.target,
            origin: r.origin,
            checked_at: r.checked_at,
            millis: r.millis,
            findings: r.findings,
            grades,
        }
    }
}

impl Report {
    /// The one-line HTTPS grade of each name checked (README "HTTPS grade").
    pub fn grades(&self) -> Vec<HostGrade> {
        grade::grade(&self.findings)
    }

    pub fn worst(&self) -> Verdict {
        self.findings.iter().map(|f| f.verdict).max().unwrap_or(Verdict::Skip)
    }

    /// The CLI's exit status: 0 all passed, 1 warnings, 2 failures.
    pub fn exit_code(&self) -> u8 {
        match self.worst() {
            Verdict::Fail => 2,
            Verdict::Warn => 1,
            Verdict::Pass | Verdict::Skip => 0,
        }
    }

    pub fn count(&self, v: Verdict) -> usize {
        self.findings.iter().filter(|f| f.verdict == v).count()
    }

    /// The findings of one check (a check may report once per name or per port).
    pub fn of<'a>(&'a self, check: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |f| f.check == check)
    }

    /// Findings sorted for reading: failures first, then warnings, then by area.
    pub fn sorted(&self) -> Vec<&Finding> {
        let mut v: Vec<&Finding> = self.findings.iter().collect();
        v.sort_by(|a, b| b.verdict.cmp(&a.verdict).then(a.area.cmp(&b.area)).then(a.check.cmp(&b.check)));
        v
    }

    /// One line for a timeline note or a status page.
    pub fn summary(&self) -> String {
        let (f, w, p) = (self.count(Verdict::Fail), self.count(Verdict::Warn), self.count(Verdict::Pass));
        match self.worst() {
            Verdict::Fail => format!("{f} failing, {w} warnings, {p} passed"),
            Verdict::Warn => format!("all working, {w} warnings, {p} passed"),
            // Nothing failed and nothing passed: every check was skipped (e.g. in the sandbox).
            // Say so instead of "all 0 checks passed".
            _ if p == 0 && self.count(Verdict::Skip) > 0 => {
                format!("{} checks could not run here (each says why)", self.count(Verdict::Skip))
            }
            _ => format!("all {p} checks passed"),
        }
    }

    /// [`Report::summary`] in English and Korean (a step's note).
    pub fn summary_said(&self) -> crate::text::Message {
        crate::text::msg(self.summary(), self.summary_ko())
    }

    /// [`Report::summary`] in Korean.
    pub fn summary_ko(&self) -> String {
        let (f, w, p) = (self.count(Verdict::Fail), self.count(Verdict::Warn), self.count(Verdict::Pass));
        match self.worst() {
            Verdict::Fail => format!("실패 {f}개, 경고 {w}개, 통과 {p}개"),
            Verdict::Warn => format!("모두 동작함, 경고 {w}개, 통과 {p}개"),
            _ if p == 0 && self.count(Verdict::Skip) > 0 => {
                format!("여기서 실행할 수 없는 점검 {}개(각 항목에 이유가 있음)", self.count(Verdict::Skip))
            }
            _ => format!("점검 {p}개 모두 통과"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(v: Verdict) -> Finding {
        Finding::new("x", "y", Area::Tls, "h", v)
    }

    #[test]
    fn exit_code_follows_the_worst_verdict() {
        let mut r = Report { target: "t".into(), origin: None, checked_at: "".into(), millis: 0, findings: vec![] };
        assert_eq!(r.exit_code(), 0);
        r.findings.push(finding(Verdict::Pass));
        r.findings.push(finding(Verdict::Skip));
        assert_eq!(r.exit_code(), 0);
        r.findings.push(finding(Verdict::Warn));
        assert_eq!(r.exit_code(), 1);
        r.findings.push(finding(Verdict::Fail));
        assert_eq!(r.exit_code(), 2);
        assert_eq!(r.sorted()[0].verdict, Verdict::Fail);
        assert!(r.summary().starts_with("1 failing"));
        assert_eq!(r.summary_ko(), "실패 1개, 경고 1개, 통과 1개");
    }

    /// The JSON carries the grades; reading it back ignores them (they are recomputed).
    #[test]
    fn grades_are_written_out_and_recomputed_on_read() {
        let r = Report {
            target: "https://h.example/".into(),
            origin: None,
            checked_at: "".into(),
            millis: 3,
            findings: vec![
                Finding::new("tls.handshake", "ok", Area::Tls, "h.example:443", Verdict::Pass),
                Finding::new("headers.csp", "missing", Area::Http, "h.example", Verdict::Pass),
            ],
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["grades"][0]["host"], "h.example");
        assert_eq!(v["grades"][0]["letter"], "B");
        assert_eq!(v["grades"][0]["score"], 75);
        assert_eq!(v["grades"][0]["reasons"][0]["effect"]["points"], -25);
        let back: Report = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
        // A report stored before grades existed still reads.
        let old = serde_json::json!({"target": "t", "origin": null, "checked_at": "", "millis": 0, "findings": []});
        assert!(serde_json::from_value::<Report>(old).unwrap().grades().is_empty());
    }
}
