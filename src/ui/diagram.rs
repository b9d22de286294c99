//! The sequence diagram of a run: one column per actor taking part, one arrow per step, in
//! order. Front channel (redirects) dashed, back channel (fetch) solid, the user's part dotted,
//! work inside the app a loop. Each arrow is a link to its step's panel (`role=link`,
//! `data-step`): focusable, opened by click or Enter; the current step's row is highlighted. At phone width the same
//! steps are a numbered list instead.
//!
//! Labels never cross an arrow or another label: each row has its own band above its arrow, and
//! a loop's label sits to the right of the loop, not over it.

use leptos::prelude::*;

use super::kit::{each_step, number, redrawn, text};
use super::state::{AppState, StepEntry};
use crate::protocol::step::{Actor, Step, StepKind};

const COL: i32 = 170;
const ROW: i32 = 44;
const TOP: i32 = 58;
/// The widest a label's character can be, at the presenter view's font size (user units).
const CHAR_W: i32 = 9;
/// How far right of its lifeline a loop's label starts (the loop is 34 wide).
const LOOP_LABEL: i32 = 44;

const ORDER: [Actor; 5] = [
    Actor::User,
    Actor::App,
    Actor::ServiceWorker,
    Actor::AuthorizationServer,
    Actor::ResourceServer,
];

/// Brings a step's panel into view beside the diagram and gives it the focus.
pub fn show_panel(state: AppState, key: u32) {
    state.selected.set(Some(key));
    let id = state
        .steps
        .get_untracked()
        .iter()
        .find(|e| e.key == key)
        .map(|e| e.step.with_untracked(|s| s.id));
    if let Some(id) = id {
        crate::browser::reveal(&format!("step-{id}"), true);
    }
}

/// The columns of the run: User, the app and the provider always; the others when a step
/// uses them.
fn columns(state: AppState) -> Vec<Actor> {
    state.steps.with(|steps| {
        let uses = |a: Actor| {
            steps
                .iter()
                .any(|e| e.step.with(|s| s.from == a || s.to == a))
        };
        ORDER
            .into_iter()
            .filter(|a| {
                matches!(a, Actor::User | Actor::App | Actor::AuthorizationServer) || uses(*a)
            })
            .collect()
    })
}

fn x_of(cols: &[Actor], a: Actor) -> i32 {
    cols.iter().position(|b| *b == a).unwrap_or(0) as i32 * COL + COL / 2
}

/// Where a step's label starts, and its baseline: above its arrow; a loop's beside the loop.
fn label_at(cols: &[Actor], s: &Step, y: i32) -> (i32, i32) {
    let (x1, x2) = (x_of(cols, s.from), x_of(cols, s.to));
    if x1 == x2 {
        (x1 + LOOP_LABEL, y + 4)
    } else {
        // Clear of the arrowhead (5 above the line) with room for descenders.
        (x1.min(x2) + 6, y - 10)
    }
}

#[component]
pub fn Diagram() -> impl IntoView {
    let state = expect_context::<AppState>();
    let cols = Memo::new(move |_| columns(state));
    // Wide enough for every column and the longest label.
    let size = Memo::new(move |_| {
        let cols = cols.get();
        let steps = state.steps.get();
        let width = steps
            .iter()
            .enumerate()
            .fold(cols.len() as i32 * COL, |w, (i, e)| {
                e.step.with(|s| {
                    let chars = s.title.chars().count() as i32 + 5;
                    let (x, _) = label_at(&cols, s, TOP + i as i32 * ROW + 22);
                    w.max(x + chars * CHAR_W)
                })
            });
        (width, TOP + steps.len().max(1) as i32 * ROW + 16)
    });
    let lifelines = redrawn(move || {
        let (_, height) = size.get();
        cols.get()
            .into_iter()
            .map(|a| {
                let cx = x_of(&cols.get_untracked(), a);
                view! {
                    <rect class="actor" x=cx - COL / 2 + 8 y="6" width=COL - 16 height="30" rx="6" />
                    <text class="actor-label" x=cx y="26" text-anchor="middle">{a.label()}</text>
                    <line class="lifeline" x1=cx y1="36" x2=cx y2=height - 4 />
                }
            })
            .collect_view()
            .into_any()
    });
    provide_context(cols);
    view! {
        <div class="diagram" id="diagram">
            <svg data-testid="sequence-diagram" class="sequence"
                viewBox=text(move || { let (w, h) = size.get(); format!("0 0 {w} {h}") })
                width=text(move || size.get().0.to_string())
                height=text(move || size.get().1.to_string())
                role="group" aria-label="Sequence diagram of the steps">
                <g>{lifelines}</g>
                <g>{each_step(state, arrow)}</g>
            </svg>
        </div>
        <ol class="step-nav" aria-label="Steps">{each_step(state, nav_item)}</ol>
    }
}

/// One arrow, drawn again when its step, its place or the columns change.
fn arrow(state: AppState, entry: StepEntry) -> AnyView {
    let cols = expect_context::<Memo<Vec<Actor>>>();
    let key = entry.key;
    let step = entry.step;
    // Its place and whether it is current, as memos: a step added elsewhere redraws nothing here.
    let index = Memo::new(move |_| number(state, key));
    let is_current = Memo::new(move |_| state.current() == Some(key));
    redrawn(move || {
        let i = index.get() as i32 - 1;
        let y = TOP + i * ROW + 22;
        let current = if is_current.get() { "row current" } else { "row" };
        let cols = cols.get();
        step.with(|s| {
            let (x1, x2) = (x_of(&cols, s.from), x_of(&cols, s.to));
            let channel = match s.kind {
                StepKind::Redirect => "front",
                StepKind::BackChannel => "back",
                StepKind::Local => "local",
                StepKind::Interaction => "user",
            };
            let label = format!("{}. {}", i + 1, s.title);
            let shape = if x1 == x2 {
                view! {
                    <path d=format!("M{x1} {} h34 v16 h-30", y - 8) />
                    <polygon points=format!("{x1},{} {},{} {},{}", y + 8, x1 + 8, y + 4, x1 + 8, y + 12) />
                }
                .into_any()
            } else {
                let dir = if x2 > x1 { 1 } else { -1 };
                let tip = x2 - dir * 2;
                let base = tip - dir * 9;
                view! {
                    <line x1=x1 y1=y x2=tip y2=y />
                    <polygon points=format!("{tip},{y} {base},{} {base},{}", y - 5, y + 5) />
                }
                .into_any()
            };
            let (tx, ty) = label_at(&cols, s, y);
            let aria = format!("{label} ({})", s.kind.label());
            view! {
                <g>
                    <rect class=current x="0" y=y - ROW / 2 - 4 width="100%" height=ROW />
                    <g role="link" tabindex="0"
                        class=format!("arrow {channel} {}", s.status.as_str())
                        data-step=s.id.as_str() aria-label=aria
                        on:click=move |_| show_panel(state, key)
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                            if ev.key() == "Enter" {
                                ev.prevent_default();
                                show_panel(state, key);
                            }
                        }>
                        {shape}
                        <text x=tx y=ty>{label}</text>
                    </g>
                </g>
            }
            .into_any()
        })
    })
    .into_any()
}

/// One entry of the phone's step list.
fn nav_item(state: AppState, entry: StepEntry) -> AnyView {
    let key = entry.key;
    let step = entry.step;
    let index = Memo::new(move |_| number(state, key));
    let is_current = Memo::new(move |_| state.current() == Some(key));
    redrawn(move || {
        let n = index.get();
        let current = is_current.get();
        step.with(|s| {
            view! {
                <li class=format!("{}{}", s.status.as_str(), if current { " current" } else { "" })>
                    <a href=format!("#step-{}", s.id) on:click=move |ev| {
                        ev.prevent_default();
                        show_panel(state, key);
                    }>{format!("{n}. {}", s.title)}</a>
                </li>
            }
            .into_any()
        })
    })
    .into_any()
}
