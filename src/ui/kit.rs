//! Small view helpers shared by the components. Each erases a closure's type behind one
//! concrete type, so the renderer is compiled once for all of them instead of once per call
//! site: a reactive text or attribute is a `Signal<String>` (or `Signal<bool>`), a part of the
//! page redrawn from signals is a boxed function returning an `AnyView`, and the keyed list of
//! steps is one `For`.

use std::sync::Arc;

use leptos::prelude::*;

use super::state::{AppState, StepEntry};

/// A text (or attribute value) computed from signals.
pub fn text(f: impl Fn() -> String + Send + Sync + 'static) -> Signal<String> {
    Signal::derive(f)
}

/// A flag (a `disabled`, a `hidden`) computed from signals.
pub fn flag(f: impl Fn() -> bool + Send + Sync + 'static) -> Signal<bool> {
    Signal::derive(f)
}

/// A part of the page drawn again whenever the signals it reads change.
pub fn redrawn(f: impl Fn() -> AnyView + Send + Sync + 'static) -> impl IntoView {
    redrawn_erased(Arc::new(f))
}

fn redrawn_erased(f: Arc<dyn Fn() -> AnyView + Send + Sync>) -> impl IntoView {
    move || f()
}

/// The run's steps as a keyed list: a new step adds its child, an updated one keeps its DOM
/// node (its child reads the step's own signal), a cleared run removes them.
pub fn each_step(state: AppState, child: fn(AppState, StepEntry) -> AnyView) -> impl IntoView {
    view! {
        <For each=move || state.steps.get() key=|e: &StepEntry| e.key children=move |e| child(state, e) />
    }
}

/// The number of an entry in the run (1-based).
pub fn number(state: AppState, key: u32) -> usize {
    state
        .steps
        .with(|v| v.iter().position(|e| e.key == key).map_or(0, |i| i + 1))
}
