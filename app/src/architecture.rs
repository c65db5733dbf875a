//! The picture of what is being built (browser -> CloudFront -> S3, browser -> nginx or ALB ->
//! EC2), each box with its real name and state, redrawn as the steps finish; and the settings
//! the app and the frontend must change for this project's names.

use crate::i18n::*;
use crate::runs::CopyButton;
use leptos::prelude::*;
use lockstep_domain::settings::{cross_site_warning, settings, Names};
use lockstep_domain::Framework;

/// The state of one part of the architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Not there yet (a later step makes it).
    Planned,
    /// A step is working on it now.
    Building,
    Ready,
    Broken,
}

impl Part {
    fn key(self) -> &'static str {
        match self {
            Part::Planned => "planned",
            Part::Building => "building",
            Part::Ready => "ready",
            Part::Broken => "broken",
        }
    }
    fn word(self, l: Locale) -> &'static str {
        match self {
            Part::Planned => td_string!(l, arch.planned),
            Part::Building => td_string!(l, arch.building),
            Part::Ready => td_string!(l, arch.ready),
            Part::Broken => td_string!(l, arch.broken),
        }
    }
}

/// One box: what it is, its real name, its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartBox {
    /// What the part is, in English whatever the page's language: the box's `data-part`.
    pub what: String,
    /// What the part is, in the page's language: the box's text.
    pub label: String,
    pub name: String,
    pub state: Part,
}

impl PartBox {
    /// A box whose kind is the translation `what` gives (English for `data-part`, `l` shown).
    pub fn new(l: Locale, what: fn(Locale) -> &'static str, name: String, state: Part) -> PartBox {
        PartBox { what: what(Locale::en).to_string(), label: what(l).to_string(), name, state }
    }

    /// The box for the team's app ("Django app").
    pub fn app(l: Locale, framework: Framework, name: String, state: Part) -> PartBox {
        PartBox {
            what: td_string!(Locale::en, arch.app, framework = framework.label()).to_string(),
            label: td_string!(l, arch.app, framework = crate::labels::framework(l, framework)).to_string(),
            name,
            state,
        }
    }
}

/// A chain of boxes left to right; `edges[i]` labels the arrow into box i+1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    pub boxes: Vec<PartBox>,
    pub edges: Vec<String>,
}

const BOX_W: i32 = 170;
const BOX_H: i32 = 58;
const GAP: i32 = 52;
const ROW_H: i32 = 92;

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// The architecture as SVG; each box carries `data-part` and `data-state` for tests and CSS.
#[component]
pub fn Architecture(chains: Vec<Chain>) -> impl IntoView {
    let i18n = use_i18n();
    let cols = chains.iter().map(|c| c.boxes.len()).max().unwrap_or(1) as i32;
    let width = 16 + cols * BOX_W + (cols - 1) * GAP + 16;
    let height = chains.len() as i32 * ROW_H + 8;
    let rows = chains
        .into_iter()
        .enumerate()
        .map(|(r, chain)| {
            let y = 8 + r as i32 * ROW_H;
            let n = chain.boxes.len();
            let boxes = chain
                .boxes
                .into_iter()
                .enumerate()
                .map(|(i, b)| {
                    let x = 16 + i as i32 * (BOX_W + GAP);
                    let edge = (i > 0).then(|| {
                        let label = chain.edges.get(i - 1).cloned().unwrap_or_default();
                        let x0 = x - GAP;
                        view! {
                            <g class="edge">
                                <line x1=x0 y1=y + BOX_H / 2 x2=x - 4 y2=y + BOX_H / 2 marker-end="url(#arrow)"/>
                                <text x=x0 + GAP / 2 y=y + BOX_H / 2 - 6 text-anchor="middle" class="edge-label">{label}</text>
                            </g>
                        }
                    });
                    let (label, name, state) = (b.label.clone(), b.name.clone(), b.state);
                    view! {
                        {edge}
                        <g class=format!("part {}", b.state.key()) data-testid="arch-part" data-part=b.what.clone() data-state=b.state.key()>
                            <title>{move || format!("{label}: {name} ({})", state.word(i18n.get_locale()))}</title>
                            <rect x=x y=y width=BOX_W height=BOX_H rx="8"/>
                            <text x=x + 10 y=y + 19 class="part-what">{b.label.clone()}</text>
                            <text x=x + 10 y=y + 36 class="part-name">{short(&b.name, 24)}</text>
                            <text x=x + 10 y=y + 51 class="part-state">{move || state.word(i18n.get_locale())}</text>
                        </g>
                    }
                })
                .collect_view();
            let _ = n;
            boxes
        })
        .collect_view();
    view! {
        <svg class="architecture" data-testid="architecture" role="img" viewBox=format!("0 0 {width} {height}")
            width=width height=height aria-label=move || t_string!(i18n, arch.label)>
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z"/>
                </marker>
            </defs>
            {rows}
        </svg>
    }
}

/// The settings blocks for the project's names, each with a copy button.
#[component]
pub fn SettingsView(framework: Framework, names: Names) -> impl IntoView {
    let i18n = use_i18n();
    // The places and comments follow the page's language (the settings are the same code).
    move || {
        let korean = i18n.get_locale() == Locale::ko;
        let warning = cross_site_warning(&names, korean);
        let blocks = settings(framework, &names, korean);
        view! {
        <div class="settings" data-testid="framework-settings">
            {warning.map(|w| view! { <p class="notice warn" data-testid="cross-site-warning">{w}</p> })}
            {blocks.into_iter().map(|b| {
                let copy = b.text.clone();
                view! {
                    <div class="setting">
                        <div class="setting-head"><strong>{b.place}</strong><CopyButton text=copy/></div>
                        <pre class="code">{b.text}</pre>
                    </div>
                }
            }).collect_view()}
        </div>
        }
    }
}
