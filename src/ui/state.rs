//! The app's shared state (a typed context), and the flows' step sink.

use leptos::prelude::*;

use crate::flows::{Session, StepSink};
use crate::protocol::config::Config;
use crate::protocol::content::Content;
use crate::protocol::error::FlowError;
use crate::protocol::step::{Step, StepStatus};

/// `data-status` of the outcome element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Idle,
    InProgress,
    SignedIn,
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::InProgress => "in-progress",
            Status::SignedIn => "signed-in",
            Status::Error => "error",
        }
    }
}

/// What the outcome element says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub text: String,
    pub error: Option<FlowError>,
}

impl Outcome {
    pub fn idle() -> Outcome {
        Outcome {
            status: Status::Idle,
            text: "Configure a provider and press Sign in.".into(),
            error: None,
        }
    }
    pub fn busy(text: &str) -> Outcome {
        Outcome {
            status: Status::InProgress,
            text: text.into(),
            error: None,
        }
    }
    pub fn signed_in() -> Outcome {
        Outcome {
            status: Status::SignedIn,
            text: "Every check passed. The tokens are held in this tab's memory only.".into(),
            error: None,
        }
    }
    pub fn status_headline(&self) -> &'static str {
        match self.status {
            Status::Idle => "Ready.",
            Status::InProgress => "Working\u{2026}",
            Status::SignedIn => "Signed in.",
            Status::Error => "Stopped:",
        }
    }
}

/// One step of the run, with a signal of its own: an update of the step (a device flow's poll)
/// re-renders its panel and its arrow only. `key` tells entries apart for keyed lists (a run
/// may hold two steps with the same id, such as a refetched key set).
#[derive(Clone, Copy)]
pub struct StepEntry {
    pub key: u32,
    pub step: RwSignal<Step>,
}

/// Shared signals, handed down as context.
#[derive(Clone, Copy)]
pub struct AppState {
    pub config: RwSignal<Config>,
    /// Bumped when the configuration is replaced from outside the form (restored after a
    /// redirect), so the form rebuilds its fields then and only then.
    /// (Its value means nothing: a bool shares the signal code of the other flags.)
    pub config_rev: RwSignal<bool>,
    pub steps: RwSignal<Vec<StepEntry>>,
    /// The key the next new step gets.
    next_key: StoredValue<u32>,
    /// The step the user selected (an arrow, a panel, N or P); `None` follows the newest.
    pub selected: RwSignal<Option<u32>>,
    /// The configuration is folded into its one-line summary (once a sign-in starts; a click on
    /// the summary opens it again).
    pub folded: RwSignal<bool>,
    /// The teaching text (`content/en.json`), empty until it has arrived.
    pub content: RwSignal<Content>,
    pub outcome: RwSignal<Outcome>,
    pub session: RwSignal<Option<Session>>,
    /// The signed-in section shows the tokens unmasked (a deliberate click; reset with the session).
    pub tokens_revealed: RwSignal<bool>,
    /// The export includes secrets (opted in).
    pub transcript_secrets: RwSignal<bool>,
    /// Step-through: the flow waits for Continue.
    pub paused: RwSignal<bool>,
    /// The flow waits for something the user may give up on (the popup's answer): Cancel is on.
    pub cancellable: RwSignal<bool>,
    /// The user pressed Cancel while the flow was cancellable.
    pub cancelled: RwSignal<bool>,
}

impl AppState {
    pub fn new(config: Config) -> AppState {
        AppState {
            config: RwSignal::new(config),
            config_rev: RwSignal::new(false),
            steps: RwSignal::new(Vec::new()),
            next_key: StoredValue::new(0),
            selected: RwSignal::new(None),
            folded: RwSignal::new(false),
            content: RwSignal::new(Content::default()),
            outcome: RwSignal::new(Outcome::idle()),
            session: RwSignal::new(None),
            tokens_revealed: RwSignal::new(false),
            paused: RwSignal::new(false),
            cancellable: RwSignal::new(false),
            cancelled: RwSignal::new(false),
            transcript_secrets: RwSignal::new(false),
        }
    }

    /// Changes the configuration. Signals are read and written through `get`/`set` only, never
    /// through `with`/`update` with a closure: those are generic over the closure, and each
    /// call site would add its own copy of the signal machinery to the wasm.
    pub fn edit_config(&self, f: &mut dyn FnMut(&mut Config)) {
        let mut c = self.config.get_untracked();
        f(&mut c);
        self.config.set(c);
    }

    /// Draws the configuration form again (after a change from outside the form, or one that
    /// changes which fields it shows).
    pub fn redraw_config(&self) {
        self.config_rev.set(!self.config_rev.get_untracked());
    }

    /// The text of a content key (the key itself until the content file has arrived); reading
    /// it subscribes to the content.
    pub fn text(&self, key: &str) -> String {
        self.content.with(|c| c.text(key).to_string())
    }

    /// The steps as they are now.
    pub fn step_list(&self) -> Vec<Step> {
        self.steps
            .get_untracked()
            .iter()
            .map(|e| e.step.get_untracked())
            .collect()
    }

    /// The entry shown as current: the selected one, or the newest.
    pub fn current(&self) -> Option<u32> {
        let steps = self.steps.get();
        let selected = self.selected.get();
        match selected {
            Some(k) if steps.iter().any(|e| e.key == k) => Some(k),
            _ => steps.last().map(|e| e.key),
        }
    }

    /// Selects the entry `delta` places from the selected one (N and P); with none selected, N
    /// starts at the first step and P at the last.
    pub fn select_by(&self, delta: i32) -> Option<u32> {
        let steps = self.steps.get_untracked();
        let at = self
            .selected
            .get_untracked()
            .and_then(|k| steps.iter().position(|e| e.key == k));
        let next = match at {
            Some(i) => (i as i32 + delta).clamp(0, steps.len() as i32 - 1) as usize,
            None if delta > 0 => 0,
            None => steps.len().checked_sub(1)?,
        };
        let key = steps.get(next)?.key;
        self.selected.set(Some(key));
        Some(key)
    }

    /// Clears a previous run.
    pub fn reset(&self) {
        self.steps.set(Vec::new());
        self.selected.set(None);
        self.session.set(None);
        self.tokens_revealed.set(false);
    }

    /// Finishes a login from the provider's answer, then calls the API.
    pub async fn finish_login(
        self,
        answer: Result<crate::protocol::callback::CallbackParams, FlowError>,
    ) {
        let result = match answer {
            Ok(params) => crate::flows::pkce::resume(&self, params).await,
            Err(e) => Err(e),
        };
        self.settle_login(result).await;
    }

    /// Shows the outcome of a login; with an access token, calls the API.
    pub async fn settle_login(self, result: Result<crate::flows::Session, FlowError>) {
        match result {
            Ok(session) => {
                // Userinfo belongs to OpenID Connect (a user, and openid asked); otherwise the
                // API is called only when one is named.
                let call = session.tokens.access_token.is_some()
                    && ((session.config.flow.has_user() && session.config.asks_openid())
                        || !session.config.api_url.trim().is_empty());
                self.session.set(Some(session));
                if call {
                    self.call_api().await;
                } else {
                    self.outcome.set(Outcome::signed_in());
                }
            }
            Err(e) => self.fail(e),
        }
    }

    /// Calls the API with the session's access token and shows the answer (one place for the
    /// call after sign-in and the "Call the API" button).
    pub async fn call_api(self) {
        let Some(session) = self.session.get_untracked() else {
            return;
        };
        self.outcome.set(Outcome::busy("Calling the API\u{2026}"));
        let called = crate::flows::pkce::call_api(&self, &session).await;
        crate::browser::mark("api");
        match called {
            Ok(body) => {
                let mut session = session;
                session.api_body = Some(crate::protocol::http::pretty_body(&body));
                // Unless the user signed out meanwhile.
                if self.session.get_untracked().is_some() {
                    self.session.set(Some(session));
                }
                self.outcome.set(Outcome::signed_in());
            }
            Err(e) => self.fail(e),
        }
    }

    /// Refreshes the session's tokens; the new ones replace the old in memory.
    pub async fn refresh(self) {
        let Some(session) = self.session.get_untracked() else {
            return;
        };
        self.outcome
            .set(Outcome::busy("Refreshing the tokens\u{2026}"));
        match crate::flows::pkce::refresh(&self, &session).await {
            Ok(next) => {
                self.session.set(Some(next));
                self.outcome.set(Outcome {
                    text: "Refreshed: new tokens replace the old ones in this tab's memory.".into(),
                    ..Outcome::signed_in()
                });
            }
            Err(e) => self.fail(e),
        }
    }

    /// "Steal the token": replays the DPoP-bound access token as a thief would; the API must
    /// refuse both tries. The session stays as it was.
    pub async fn steal(self) {
        let Some(session) = self.session.get_untracked() else {
            return;
        };
        self.outcome.set(Outcome::busy(
            "Replaying the token as a thief would\u{2026}",
        ));
        match crate::flows::dpop::steal(&self, &session).await {
            Ok(()) => self.outcome.set(Outcome {
                text: "The API refused the stolen token both ways: without this tab's key it is worthless.".into(),
                ..Outcome::signed_in()
            }),
            Err(e) => self.fail(e),
        }
    }

    /// Shows an error; the app stays usable for the next try.
    pub fn fail(&self, e: FlowError) {
        // Refused before anything was sent (the configuration is incomplete): the form opens.
        if self.steps.with_untracked(Vec::is_empty) {
            self.folded.set(false);
        }
        self.outcome.set(Outcome {
            status: Status::Error,
            text: e.message.clone(),
            error: Some(e),
        });
    }
}

impl StepSink for AppState {
    fn emit(&self, step: Step) {
        let v = self.steps.get_untracked();
        match v.last() {
            // An update of the newest step: its own signal only (its panel and arrow).
            Some(last) if last.step.with_untracked(|s| s.id == step.id) => last.step.set(step),
            _ => {
                let key = self.next_key.get_value();
                self.next_key.set_value(key + 1);
                let mut v = v;
                v.push(StepEntry {
                    key,
                    step: RwSignal::new(step),
                });
                self.steps.set(v);
            }
        }
    }

    fn steps(&self) -> Vec<Step> {
        self.step_list()
    }

    fn hold<'a>(
        &'a self,
        step: &Step,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>> {
        let mut pending = step.clone();
        pending.status = StepStatus::Pending;
        self.emit(pending);
        let title = step.title;
        Box::pin(async move {
            if !self.config.get_untracked().step_through {
                return;
            }
            self.outcome.set(Outcome::busy(&format!("Paused before \u{201c}{title}\u{201d}: read what is about to be sent, then press Continue.")));
            self.paused.set(true);
            while self.paused.get_untracked() {
                crate::browser::sleep_ms(100).await;
            }
            self.outcome.set(Outcome::busy("Working\u{2026}"));
        })
    }

    fn take_tamper(
        &self,
        at: crate::protocol::step::StepId,
    ) -> Option<crate::protocol::tamper::Tamper> {
        let t = self.config.get_untracked().break_it?;
        if t.step() != at {
            return None;
        }
        // Once only: the choice is cleared, and the form shows "nothing" again.
        self.edit_config(&mut |c| c.break_it = None);
        self.redraw_config();
        Some(t)
    }

    fn say(&self, text: String) {
        self.outcome.set(Outcome::busy(&text));
    }

    fn cancellable(&self, on: bool) {
        if on != self.cancellable.get_untracked() {
            self.cancelled.set(false);
            self.cancellable.set(on);
        }
    }

    fn cancel_requested(&self) -> bool {
        self.cancelled.get_untracked()
    }

    fn restore_config(&self, config: Config) {
        self.config.set(config);
        self.redraw_config();
    }
}
