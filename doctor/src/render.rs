//! The CLI's human output: grouped by area, problems first with evidence, why and fix; advice
//! (a passing check that says what would make the site better) with its fix; then the one-line
//! HTTPS grade of each name.

use lockstep_domain::doctor::{Area, Letter, Report, Verdict};
use std::fmt::Write;

pub struct Style {
    pub color: bool,
    /// Show evidence for passing checks too.
    pub verbose: bool,
}

fn paint(s: &str, code: &str, on: bool) -> String {
    if on {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

pub fn human(report: &Report, style: &Style) -> String {
    let c = style.color;
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", paint("lockstep doctor", "1", c), report.target);
    if let Some(o) = &report.origin {
        let _ = writeln!(out, "  frontend origin: {o}");
    }
    let mut areas: Vec<Area> = report.findings.iter().map(|f| f.area).collect();
    areas.sort();
    areas.dedup();
    let mut last_fix: Option<String> = None;
    for area in areas {
        let _ = writeln!(out, "\n{}", paint(area.label(), "1", c));
        let mut fs: Vec<_> = report.findings.iter().filter(|f| f.area == area).collect();
        fs.sort_by(|a, b| b.verdict.cmp(&a.verdict).then(a.check.cmp(&b.check)));
        for f in fs {
            // Advice: it works, and the fix says what would make it better (and raise the grade).
            let advice = f.verdict == Verdict::Pass && f.fix.is_some();
            let mark = match f.verdict {
                Verdict::Pass if advice => paint("i", "36", c),
                Verdict::Pass => paint("✓", "32", c),
                Verdict::Warn => paint("!", "33", c),
                Verdict::Fail => paint("✗", "31", c),
                Verdict::Skip => paint("-", "2", c),
            };
            let _ = writeln!(out, "  {mark} {}  {}", f.title, paint(&format!("[{} {}]", f.check, f.subject), "2", c));
            let detail = matches!(f.verdict, Verdict::Warn | Verdict::Fail) || style.verbose;
            if detail {
                for e in &f.evidence {
                    let _ = writeln!(out, "      {} {e}", paint("seen:", "2", c));
                }
                if let Some(w) = &f.why {
                    let _ = writeln!(out, "      {} {w}", paint("why: ", "2", c));
                }
            }
            if let Some(x) = &f.fix {
                if detail || advice {
                    // The same advice for a second name (API and frontend): said once.
                    let text = if last_fix.as_deref() == Some(x.as_str()) { "the same as above" } else { x.as_str() };
                    let _ = writeln!(out, "      {} {text}", paint("fix: ", "1", c));
                    last_fix = Some(x.clone());
                }
            }
        }
    }
    let grades = report.grades();
    if !grades.is_empty() {
        let _ = writeln!(out, "\n{}", paint("HTTPS grade", "1", c));
        for g in &grades {
            let code = match g.letter {
                Letter::APlus | Letter::A => "32;1",
                Letter::B | Letter::C => "33;1",
                Letter::D | Letter::F => "31;1",
            };
            let line = g.line(false);
            let rest = line.strip_prefix(&format!("{}: {}", g.host, g.letter)).unwrap_or("");
            let _ = writeln!(out, "  {}: {}{rest}", g.host, paint(g.letter.as_str(), code, c));
        }
    }
    let summary = report.summary();
    let colored = match report.worst() {
        Verdict::Fail => paint(&summary, "31;1", c),
        Verdict::Warn => paint(&summary, "33;1", c),
        _ => paint(&summary, "32;1", c),
    };
    let _ = writeln!(out, "\n{colored} ({} ms)", report.millis);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use lockstep_domain::doctor::Finding;

    #[test]
    fn advice_shows_its_fix_once_and_the_grades_close_the_output() {
        let advice = |host: &str| {
            Finding::new("headers.csp", "missing", Area::Http, host, Verdict::Pass)
                .title("No Content-Security-Policy (advice)")
                .fix("add the header")
                .ko("Content-Security-Policy가 없습니다 (권장 사항)", "", "헤더를 추가하세요")
        };
        let report = Report {
            target: "https://a.example/".into(),
            origin: None,
            checked_at: String::new(),
            millis: 7,
            findings: vec![
                Finding::new("tls.handshake", "ok", Area::Tls, "a.example:443", Verdict::Pass).title("TLS ok").ko(
                    "TLS 정상",
                    "",
                    "",
                ),
                Finding::new("tls.handshake", "ok", Area::Tls, "b.example:443", Verdict::Pass).title("TLS ok").ko(
                    "TLS 정상",
                    "",
                    "",
                ),
                advice("a.example"),
                advice("b.example"),
            ],
        };
        let text = human(&report, &Style { color: false, verbose: false });
        assert!(
            text.contains(
                "  i No Content-Security-Policy (advice)  [headers.csp a.example]\n      fix:  add the header\n"
            ),
            "{text}"
        );
        assert!(text.contains("[headers.csp b.example]\n      fix:  the same as above\n"), "{text}");
        assert!(text.contains("  ✓ TLS ok"), "{text}");
        assert!(
            text.contains(
                "HTTPS grade\n  a.example: B (headers 75/100): no Content-Security-Policy -25\n  b.example: B"
            ),
            "{text}"
        );
        assert!(text.ends_with("all 4 checks passed (7 ms)\n"), "{text}");
    }
}
