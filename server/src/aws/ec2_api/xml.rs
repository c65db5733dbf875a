//! A small XML tree for EC2's answers: elements, their text, their children. EC2's Query API
//! answers with plain XML (no attributes that matter, no mixed content), so a tree of names
//! and texts is all lockstep reads. Built on `xmlparser` (the tokenizer the SDK uses too).

use xmlparser::{ElementEnd, Token, Tokenizer};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub text: String,
    pub children: Vec<Node>,
}

/// Deepest nesting accepted: EC2's answers are a dozen levels deep at most; a deeper document
/// is not EC2's and is refused rather than walked.
const MAX_DEPTH: usize = 64;

/// The document's root element, or why the text is not XML lockstep can read.
pub fn parse(text: &str) -> Result<Node, String> {
    let mut stack: Vec<Node> = Vec::new();
    let mut root = None;
    for token in Tokenizer::from(text) {
        let token = token.map_err(|e| format!("not XML: {e}"))?;
        match token {
            Token::ElementStart { local, .. } => {
                if stack.len() >= MAX_DEPTH {
                    return Err("XML nested too deeply".into());
                }
                stack.push(Node { name: local.as_str().to_string(), ..Node::default() });
            }
            Token::ElementEnd { end, .. } => match end {
                ElementEnd::Open => {}
                ElementEnd::Close(..) | ElementEnd::Empty => {
                    let done = stack.pop().ok_or("XML closes an element it never opened")?;
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => root = Some(done),
                    }
                }
            },
            Token::Text { text } | Token::Cdata { text, .. } => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&unescape(text.as_str()));
                }
            }
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err("XML ends inside an element".into());
    }
    root.ok_or_else(|| "no XML element".into())
}

/// The five named entities and numeric character references.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

impl Node {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the child named `name`, when it is there and not empty.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim()).filter(|t| !t.is_empty())
    }

    /// `true` when the child named `name` says `true`.
    pub fn flag(&self, name: &str) -> bool {
        self.text_of(name) == Some("true")
    }

    /// The child named `name` as a number.
    pub fn number(&self, name: &str) -> Option<i32> {
        self.text_of(name).and_then(|t| t.parse().ok())
    }

    /// The `<item>`s of the list element named `name` (EC2's lists: `<groupSet><item>..`).
    pub fn items<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Node> + 'a {
        self.child(name).into_iter().flat_map(|l| l.children.iter().filter(|c| c.name == "item"))
    }

    /// Follows `path` of list names: `items_at(&["reservationSet", "instancesSet"])` is every
    /// instance of every reservation.
    pub fn items_at<'a>(&'a self, path: &[&str]) -> Vec<&'a Node> {
        let mut level = vec![self];
        for name in path {
            level = level.into_iter().flat_map(|n| n.items(name)).collect();
        }
        level
    }
}
