//! The app's shared state (a typed context), and the flows' step sink.

use leptos::prelude::*;

use crate::flows::{Session, StepSink};
use crate::protocol::config::Config;
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

/// Shared signals, handed down as context.
#[derive(Clone, Copy)]
pub struct AppState {
    pub config: RwSignal<Config>,
    /// Bumped when the configuration is replaced from outside the form (restored after a
    /// redirect), so the form rebuilds its fields then and only then.
    /// (Its value means nothing: a bool shares the signal code of the other flags.)
    pub config_rev: RwSignal<bool>,
    pub steps: RwSignal<Vec<Step>>,
    pub outcome: RwSignal<Outcome>,
    pub session: RwSignal<Option<Session>>,
    /// The signed-in section shows the tokens unmasked (a deliberate click; reset with the session).
    pub tokens_revealed: RwSignal<bool>,
    /// The export includes secrets (opted in).
    pub transcript_secrets: RwSignal<bool>,
    /// Step-through: the flow waits for Continue.
    pub paused: RwSignal<bool>,
    /// The Export disclosure is open (the transcript is drawn only then).
    pub export_open: RwSignal<bool>,
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
            outcome: RwSignal::new(Outcome::idle()),
            session: RwSignal::new(None),
            tokens_revealed: RwSignal::new(false),
            paused: RwSignal::new(false),
            export_open: RwSignal::new(false),
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

    /// Clears a previous run.
    pub fn reset(&self) {
        self.steps.set(Vec::new());
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

    /// Shows an error; the app stays usable for the next try.
    pub fn fail(&self, e: FlowError) {
        self.outcome.set(Outcome {
            status: Status::Error,
            text: e.message.clone(),
            error: Some(e),
        });
    }
}

impl StepSink for AppState {
    fn emit(&self, step: Step) {
        let mut v = self.steps.get_untracked();
        match v.last_mut() {
            // An update of the same panel keeps its reveal switch.
            Some(last) if last.id == step.id => {
                *last = Step {
                    revealed: last.revealed,
                    ..step
                }
            }
            _ => v.push(step),
        }
        self.steps.set(v);
    }

    fn steps(&self) -> Vec<Step> {
        self.steps.get_untracked()
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

    fn take_tamper(&self, at: &str) -> Option<crate::protocol::tamper::Tamper> {
        let t = crate::protocol::tamper::Tamper::parse(&self.config.get_untracked().break_it)?;
        if t.step() != at {
            return None;
        }
        // Once only: the choice is cleared, and the form shows "nothing" again.
        self.edit_config(&mut |c| c.break_it.clear());
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
