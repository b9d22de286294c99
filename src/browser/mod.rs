//! The only code that touches the browser: randomness, time, fetch, WebCrypto, the login
//! transaction in sessionStorage, the address bar and navigation.
//!
//! Everything here is thin: it performs I/O and hands plain values to `protocol`.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::protocol::assertion::PublicKey;
use crate::protocol::error::{ErrorCode, FlowError};
use crate::protocol::http::{too_large, HttpAnswer, MAX_RESPONSE_BYTES};
use crate::protocol::jwks::Jwk;
use crate::protocol::jwt::SigAlg;
use crate::protocol::pkce::popup_channel;
use crate::protocol::transaction::STORAGE_PREFIX;

fn window() -> Result<web_sys::Window, FlowError> {
    web_sys::window()
        .ok_or_else(|| FlowError::new(ErrorCode::Browser, "No browser window is available."))
}

fn js_text(v: &JsValue) -> String {
    v.as_string()
        .or_else(|| {
            Reflect::get(v, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| "unknown error".into())
}

/// `N` bytes from the browser's cryptographic generator (via `getrandom`).
pub fn random_bytes<const N: usize>() -> Result<[u8; N], FlowError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| {
        FlowError::new(
            ErrorCode::Browser,
            format!("The browser gave no cryptographic randomness: {e}"),
        )
    })?;
    Ok(b)
}

/// Seconds since the epoch.
pub fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// Records a User Timing mark (`performance.mark`), read by `scripts/bench.mjs` to split the
/// app's own time into phases. A name only: never a value from the flow.
pub fn mark(name: &str) {
    let Some(w) = web_sys::window() else { return };
    let perf = Reflect::get(&w, &"performance".into()).unwrap_or(JsValue::UNDEFINED);
    if let Ok(f) =
        Reflect::get(&perf, &"mark".into()).and_then(|f| f.dyn_into::<js_sys::Function>())
    {
        let _ = f.call1(&perf, &format!("flowlab:{name}").into());
    }
}

/// Milliseconds, for timing steps.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The page's full URL.
pub fn location_href() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// The app's base URL (the directory it is served from, ending in `/`), from `<base href>` or
/// the page URL: works at the root and under a sub-path.
pub fn app_base() -> String {
    let base = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_else(location_href);
    let no_query = base.split(['?', '#']).next().unwrap_or("");
    match no_query.rfind('/') {
        Some(i) => no_query[..=i].to_string(),
        None => format!("{no_query}/"),
    }
}

/// This page's origin, as the provider sees it in CORS requests.
pub fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Replaces the address bar (no new history entry) so a code or state never stays in history.
pub fn replace_url(url: &str) {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(url));
    }
}

/// Sends the browser to a URL (a full-page redirect).
pub fn navigate(url: &str) -> Result<(), FlowError> {
    window()?.location().assign(url).map_err(|e| {
        FlowError::new(
            ErrorCode::Browser,
            format!("The browser refused to navigate: {}", js_text(&e)),
        )
    })
}

/// Sends the browser to `url` with a POSTed form of these fields, so their values stay out of
/// every URL. The form is made for the purpose and removed once submitted (the browser has
/// already read its fields), so no token stays in this document.
pub fn navigate_post(url: &str, fields: &[(String, String)]) -> Result<(), FlowError> {
    let fail = |e: JsValue| FlowError::new(ErrorCode::Browser, js_text(&e));
    let doc = window()?
        .document()
        .ok_or_else(|| FlowError::new(ErrorCode::Browser, "no document"))?;
    let form = doc.create_element("form").map_err(fail)?;
    for (k, v) in [("method", "post"), ("action", url), ("autocomplete", "off")] {
        form.set_attribute(k, v).map_err(fail)?;
    }
    form.set_attribute("hidden", "").map_err(fail)?;
    for (name, value) in fields {
        let input = doc.create_element("input").map_err(fail)?;
        input.set_attribute("type", "hidden").map_err(fail)?;
        input.set_attribute("name", name).map_err(fail)?;
        let _ = Reflect::set(&input, &"value".into(), &value.into());
        form.append_child(&input).map_err(fail)?;
    }
    let body = doc
        .body()
        .ok_or_else(|| FlowError::new(ErrorCode::Browser, "no body"))?;
    body.append_child(&form).map_err(fail)?;
    let submit: js_sys::Function = Reflect::get(&form, &"submit".into())
        .unwrap_or_default()
        .unchecked_into();
    let sent = submit.call0(&form);
    form.remove();
    sent.map(|_| ()).map_err(fail)
}

fn session_storage() -> Result<web_sys::Storage, FlowError> {
    window()?.session_storage().ok().flatten().ok_or_else(|| {
        FlowError::new(ErrorCode::Browser, "sessionStorage is not available (private mode or blocked storage?), so a login cannot survive the redirect.")
    })
}

/// Stores the login transaction under its key until the callback.
pub fn store_transaction(key: &str, json: &str) -> Result<(), FlowError> {
    session_storage()?.set_item(key, json).map_err(|e| {
        FlowError::new(
            ErrorCode::Browser,
            format!("Could not store the login transaction: {}", js_text(&e)),
        )
    })
}

/// Reads and deletes a transaction: it can be used once only.
pub fn take_transaction(key: &str) -> Option<String> {
    let s = session_storage().ok()?;
    let v = s.get_item(key).ok().flatten();
    let _ = s.remove_item(key);
    v
}

/// Deletes every pending transaction; returns how many there were and the newest one's JSON.
pub fn discard_transactions() -> (usize, Option<String>) {
    let Ok(s) = session_storage() else {
        return (0, None);
    };
    let len = s.length().unwrap_or(0);
    let keys: Vec<String> = (0..len)
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with(STORAGE_PREFIX))
        .collect();
    let last = keys.last().and_then(|k| s.get_item(k).ok().flatten());
    for k in &keys {
        let _ = s.remove_item(k);
    }
    (keys.len(), last)
}

/// What a fetch is.
pub struct HttpCall<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: Option<&'a str>,
}

/// Starts a request: the browser sends it now; the promise settles with the response.
fn start(
    url: &str,
    method: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    mode: web_sys::RequestMode,
) -> Result<js_sys::Promise, JsValue> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_mode(mode);
    // No cookies and no referrer go to providers: the protocol needs neither.
    init.set_credentials(web_sys::RequestCredentials::Omit);
    init.set_referrer_policy(web_sys::ReferrerPolicy::NoReferrer);
    init.set_cache(web_sys::RequestCache::NoStore);
    let h = web_sys::Headers::new()?;
    for (k, v) in headers {
        h.set(k, v)?;
    }
    init.set_headers_headers(&h);
    if let Some(b) = body {
        init.set_body(&JsValue::from_str(b));
    }
    let w = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    Ok(w.fetch_with_str_and_init(url, &init))
}

async fn send(
    url: &str,
    method: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    mode: web_sys::RequestMode,
) -> Result<web_sys::Response, JsValue> {
    JsFuture::from(start(url, method, headers, body, mode)?)
        .await?
        .dyn_into()
}

/// Performs a cross-origin request and tells a refused CORS request from an unreachable host.
pub async fn fetch(call: HttpCall<'_>) -> Result<HttpAnswer, FlowError> {
    let sent = start(
        call.url,
        call.method,
        call.headers,
        call.body,
        web_sys::RequestMode::Cors,
    );
    answer_of(sent, call.url).await
}

/// The answer to a started request, read within the size bound.
async fn answer_of(
    sent: Result<js_sys::Promise, JsValue>,
    url: &str,
) -> Result<HttpAnswer, FlowError> {
    let resp = match sent {
        Ok(p) => JsFuture::from(p)
            .await
            .and_then(|r| r.dyn_into::<web_sys::Response>()),
        Err(e) => Err(e),
    };
    match resp {
        Ok(resp) => {
            let status = resp.status();
            let content_type = resp.headers().get("content-type").ok().flatten();
            // The headers DPoP reads (RFC 9449 8, 9); a cross-origin answer shows them only
            // when the server exposes them.
            let headers = ["dpop-nonce", "www-authenticate"]
                .into_iter()
                .filter_map(|n| Some((n.to_string(), resp.headers().get(n).ok()??)))
                .collect();
            let body = read_bounded(&resp, url).await?;
            Ok(HttpAnswer {
                status,
                content_type,
                body,
                headers,
            })
        }
        Err(_) => Err(classify_failure(url).await),
    }
}

/// A GET sent ahead of need (the JWKS while the token request is in flight), read later.
pub struct InFlight {
    pub url: String,
    pub started_ms: f64,
    sent: Result<js_sys::Promise, JsValue>,
}

impl InFlight {
    /// Sends a GET for JSON now.
    pub fn get_json(url: &str) -> InFlight {
        InFlight {
            url: url.to_string(),
            started_ms: now_ms(),
            sent: start(
                url,
                "GET",
                &[("Accept", "application/json")],
                None,
                web_sys::RequestMode::Cors,
            ),
        }
    }

    /// Its answer, read within the size bound.
    pub async fn answer(self) -> Result<HttpAnswer, FlowError> {
        answer_of(self.sent, &self.url).await
    }
}

/// Reads a response body, at most [`MAX_RESPONSE_BYTES`]: a declared length over the bound is
/// refused unread; otherwise the stream is read chunk by chunk and cancelled as soon as it
/// passes the bound. What was read is dropped, never parsed.
async fn read_bounded(resp: &web_sys::Response, url: &str) -> Result<String, FlowError> {
    let declared = resp
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|l| l.trim().parse::<usize>().ok());
    let body: JsValue = Reflect::get(resp, &"body".into()).unwrap_or(JsValue::NULL);
    if let Some(n) = declared.filter(|n| *n > MAX_RESPONSE_BYTES) {
        cancel(&body);
        return Err(too_large(url, n));
    }
    if body.is_null() || body.is_undefined() {
        return Ok(String::new());
    }
    let method = |o: &JsValue, name: &str| -> Option<js_sys::Function> {
        Reflect::get(o, &name.into()).ok()?.dyn_into().ok()
    };
    let read_failed = || {
        FlowError::new(
            ErrorCode::Network,
            format!("The answer from {url} broke off while it was read."),
        )
    };
    let reader = method(&body, "getReader")
        .and_then(|f| f.call0(&body).ok())
        .ok_or_else(read_failed)?;
    let read = method(&reader, "read").ok_or_else(read_failed)?;
    let mut bytes: Vec<u8> = Vec::new();
    loop {
        let promise: js_sys::Promise = read
            .call0(&reader)
            .ok()
            .and_then(|p| p.dyn_into().ok())
            .ok_or_else(read_failed)?;
        let chunk = JsFuture::from(promise).await.map_err(|_| read_failed())?;
        if Reflect::get(&chunk, &"done".into()).is_ok_and(|d| d.is_truthy()) {
            break;
        }
        let value = Reflect::get(&chunk, &"value".into()).unwrap_or_default();
        let part = js_sys::Uint8Array::new(&value);
        if bytes.len() + part.length() as usize > MAX_RESPONSE_BYTES {
            let seen = bytes.len() + part.length() as usize;
            if let Some(cancel) = method(&reader, "cancel") {
                let _ = cancel.call0(&reader);
            }
            return Err(too_large(url, seen));
        }
        bytes.extend(part.to_vec());
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Cancels a body stream that will not be read.
fn cancel(body: &JsValue) {
    if let Some(f) = Reflect::get(body, &"cancel".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    {
        let _ = f.call0(body);
    }
}

/// A failed fetch says nothing about why. A second, `no-cors` request tells: if it gets an
/// (opaque) answer, the server is up and refused this origin; if it fails too, it is unreachable.
async fn classify_failure(url: &str) -> FlowError {
    let probe = send(url, "GET", &[], None, web_sys::RequestMode::NoCors).await;
    let here = origin();
    match probe {
        Ok(_) => FlowError::new(
            ErrorCode::Cors,
            format!(
                "{url} answered, but did not allow this page to read the answer (CORS). The provider must allow \
                 the origin {here} for this client (Access-Control-Allow-Origin: {here})."
            ),
        )
        .spec("Fetch standard, CORS protocol"),
        Err(_) => FlowError::new(
            ErrorCode::Network,
            format!("{url} could not be reached: the host is down, the name does not resolve, or the network is off."),
        )
        .spec("Fetch standard, network error"),
    }
}

fn obj(pairs: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &(*k).into(), v);
    }
    o
}

fn subtle() -> Result<web_sys::SubtleCrypto, FlowError> {
    Ok(window()?
        .crypto()
        .map_err(|_| {
            FlowError::new(
                ErrorCode::Browser,
                "WebCrypto is not available (it needs a secure context: https or localhost).",
            )
        })?
        .subtle())
}

/// Which of this tab's ECDSA P-256 keys: each is a non-extractable CryptoKey pair made in
/// WebCrypto on first use, held in this page's memory only (no script can read the private
/// half, and it is gone with the page).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyUse {
    /// `private_key_jwt`: the client's key.
    Client = 0,
    /// DPoP (RFC 9449): the key the access token is bound to.
    Dpop = 1,
    /// Steal the token: a thief's key, made anew for each try.
    Stranger = 2,
}

thread_local! {
    static KEYS: std::cell::RefCell<[Option<(web_sys::CryptoKey, PublicKey)>; 3]> =
        const { std::cell::RefCell::new([None, None, None]) };
}

fn crypto_fail(what: &'static str) -> impl Fn(JsValue) -> FlowError {
    move |e| {
        FlowError::new(
            ErrorCode::Browser,
            format!("WebCrypto could not {what}: {}", js_text(&e)),
        )
    }
}

/// This tab's key for `which` (ECDSA P-256), generated on first use; its public half.
pub async fn key(which: KeyUse) -> Result<PublicKey, FlowError> {
    if let Some((_, k)) = KEYS.with_borrow(|k| k[which as usize].clone()) {
        return Ok(k);
    }
    new_key(which).await
}

/// A new key for `which`, replacing the one it had.
pub async fn new_key(which: KeyUse) -> Result<PublicKey, FlowError> {
    let fail = crypto_fail("make a key");
    let subtle = subtle()?;
    let alg = obj(&[("name", "ECDSA".into()), ("namedCurve", "P-256".into())]);
    let promise = subtle
        .generate_key_with_object(&alg, false, &Array::of1(&"sign".into()))
        .map_err(&fail)?;
    let pair = JsFuture::from(promise).await.map_err(&fail)?;
    let half = |name: &str| -> web_sys::CryptoKey {
        Reflect::get(&pair, &name.into())
            .unwrap_or_default()
            .unchecked_into()
    };
    let promise = subtle
        .export_key("jwk", &half("publicKey"))
        .map_err(&fail)?;
    let jwk = JsFuture::from(promise).await.map_err(&fail)?;
    let text: String = js_sys::JSON::stringify(&jwk).unwrap_or_default().into();
    let key = PublicKey::from_jwk(&text)?;
    // Two first uses may have raced: the first key kept is the one used (a new key for the
    // stranger replaces the old one).
    Ok(KEYS.with_borrow_mut(|k| {
        let slot = &mut k[which as usize];
        if which == KeyUse::Stranger {
            *slot = None;
        }
        slot.get_or_insert((half("privateKey"), key)).1.clone()
    }))
}

/// Signs with this tab's key for `which` (ECDSA with SHA-256: WebCrypto returns r and s, the
/// JWS form).
pub async fn sign_with(which: KeyUse, input: &str) -> Result<Vec<u8>, FlowError> {
    let fail = crypto_fail("sign");
    let Some((key, _)) = KEYS.with_borrow(|k| k[which as usize].clone()) else {
        return Err(FlowError::new(
            ErrorCode::Browser,
            "This tab has no such key yet.",
        ));
    };
    let alg = obj(&[("name", "ECDSA".into()), ("hash", "SHA-256".into())]);
    let promise = subtle()?
        .sign_with_object_and_u8_array(&alg, &key, input.as_bytes())
        .map_err(&fail)?;
    let sig = JsFuture::from(promise).await.map_err(&fail)?;
    Ok(js_sys::Uint8Array::new(&sig).to_vec())
}

/// Verifies a JWS signature with WebCrypto. `Ok(false)` means the signature is wrong.
pub async fn verify_signature(
    alg: SigAlg,
    jwk: &Jwk,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<bool, FlowError> {
    let fail = |what: &str, e: JsValue| {
        FlowError::new(
            ErrorCode::BadSignature,
            format!("WebCrypto could not {what}: {}", js_text(&e)),
        )
        .spec("OIDC Core 3.1.3.7 (6)")
    };
    let subtle = subtle()?;
    let p = alg.webcrypto();
    let mut import = vec![("name", JsValue::from_str(p.name))];
    let mut verify = vec![("name", JsValue::from_str(p.name))];
    match alg {
        SigAlg::RS256 | SigAlg::PS256 => import.push(("hash", p.hash.unwrap_or_default().into())),
        SigAlg::ES256 => {
            import.push(("namedCurve", p.named_curve.unwrap_or_default().into()));
            verify.push(("hash", p.hash.unwrap_or_default().into()));
        }
        SigAlg::EdDSA => {}
    }
    if let Some(salt) = p.salt_length {
        verify.push(("saltLength", salt.into()));
    }
    let key_data: Object = js_sys::JSON::parse(&crate::protocol::json::write(&jwk.public_json()))
        .map_err(|e| fail("read the key", e))?
        .unchecked_into();
    let usages = Array::of1(&"verify".into());
    let promise = subtle
        .import_key_with_object("jwk", &key_data, &obj(&import), false, &usages)
        .map_err(|e| fail("import the key", e))?;
    let key: web_sys::CryptoKey = JsFuture::from(promise)
        .await
        .map_err(|e| fail("import the key", e))?
        .unchecked_into();
    let promise = subtle
        .verify_with_object_and_u8_array_and_u8_array(&obj(&verify), &key, signature, signing_input)
        .map_err(|e| fail("verify", e))?;
    let ok = JsFuture::from(promise)
        .await
        .map_err(|e| fail("verify", e))?;
    Ok(ok.as_bool().unwrap_or(false))
}

/// SHA-512 through WebCrypto (for EdDSA at_hash/c_hash; SHA-256 is in the wasm for PKCE).
pub async fn sha512(value: &str) -> Result<Vec<u8>, FlowError> {
    let fail = crypto_fail("hash");
    let promise = subtle()?
        .digest_with_str_and_u8_array("SHA-512", value.as_bytes())
        .map_err(&fail)?;
    let buf = JsFuture::from(promise).await.map_err(&fail)?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// Registers the form_post receiver (`sw.js`) for the app's base path. It takes control of this
/// page as soon as it is active; until then (first visit, hard reload) it is not in control.
pub fn register_worker() {
    let Some(w) = web_sys::window() else { return };
    let sw = w.navigator().service_worker();
    let base = app_base();
    let opts = web_sys::RegistrationOptions::new();
    opts.set_scope(&base);
    // A refusal (no Service Workers, blocked by policy) shows up as "not in control" when a
    // form_post login is attempted, with the explanation there.
    let _ = sw.register_with_options(&format!("{base}sw.js"), &opts);
}

/// Whether the form_post receiver controls this page (so a POST to the callback reaches it).
pub fn worker_in_control() -> bool {
    web_sys::window().is_some_and(|w| {
        let nav = w.navigator();
        // `serviceWorker` is absent in insecure contexts and some private modes.
        Reflect::has(&nav, &"serviceWorker".into()).unwrap_or(false)
            && nav.service_worker().controller().is_some()
    })
}

/// What the worker received for this page: the form fields, or why it could not read them.
pub struct PostedForm {
    pub fields: Vec<(String, String)>,
    pub problem: Option<String>,
}

/// Claims the form the provider POSTed to this page, from the worker that received it. The
/// reply comes back on a MessageChannel this page created, so only the worker can answer; the
/// worker hands the fields once, to this page only. `None`: nothing was posted to this page.
pub async fn claim_form_post() -> Option<PostedForm> {
    if !worker_in_control() {
        return None;
    }
    let w = web_sys::window()?;
    let controller = w.navigator().service_worker().controller()?;
    let channel = web_sys::MessageChannel::new().ok()?;
    let port = channel.port1();
    let reply = js_sys::Promise::new(&mut |resolve, _| port.set_onmessage(Some(&resolve)));
    let timeout = js_sys::Promise::new(&mut |resolve, _| {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 3000);
    });
    let msg = obj(&[("type", "flowlab-claim".into())]);
    controller
        .post_message_with_transferable(&msg, &Array::of1(&channel.port2()))
        .ok()?;
    let first = JsFuture::from(js_sys::Promise::race(&Array::of2(&reply, &timeout)))
        .await
        .ok()?;
    port.set_onmessage(None);
    let data = Reflect::get(&first, &"data".into()).ok()?;
    let fields = Reflect::get(&data, &"fields".into()).ok()?;
    if !Array::is_array(&fields) {
        return None;
    }
    let fields = pairs_from_js(&fields);
    let problem = Reflect::get(&data, &"problem".into())
        .ok()
        .and_then(|p| p.as_string());
    Some(PostedForm { fields, problem })
}

/// The login popup. Opened synchronously in the click (later, browsers block it), pointed at
/// the provider once discovery is done.
pub struct Popup(web_sys::Window);

/// Opens an empty popup for the login.
pub fn open_popup() -> Result<Popup, FlowError> {
    let blocked = || {
        FlowError::new(
            ErrorCode::PopupBlocked,
            "The browser did not open the login popup: allow popups for this page, or choose the redirect window.",
        )
    };
    window()?
        .open_with_url_and_target_and_features("", "flowlab-login", "popup,width=520,height=700")
        .ok()
        .flatten()
        .map(Popup)
        .ok_or_else(blocked)
}

impl Popup {
    pub fn navigate(&self, url: &str) -> Result<(), FlowError> {
        self.0.location().set_href(url).map_err(|e| {
            FlowError::new(
                ErrorCode::Browser,
                format!("Could not send the popup to the provider: {}", js_text(&e)),
            )
        })
    }

    pub fn close(&self) {
        let _ = self.0.close();
    }

    /// Waits for the answer the callback page's relay (`public/relay.js`) hands over for the
    /// login whose state is `state`: on the login's own BroadcastChannel (which needs no
    /// `window.opener`, so it survives a provider's Cross-Origin-Opener-Policy), or by
    /// postMessage from this popup window. Only this page's origin is accepted; the first
    /// answer is taken, once, and acknowledged on the channel (the popup then closes itself).
    ///
    /// A popup that looks closed may only be cut off from this page (COOP severs the link and
    /// the browser then reports it closed): that is not taken as a cancellation. The wait ends
    /// with the answer, with `cancelled()` (the user's Cancel), or at `deadline_ms`. `waiting`
    /// is told when the wait starts (`false`) and when the popup first looks closed (`true`).
    pub async fn answer(
        &self,
        state: &str,
        deadline_ms: f64,
        waiting: &dyn Fn(bool),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(Vec<(String, String)>, String, String), FlowError> {
        let w = window()?;
        let got: std::rc::Rc<std::cell::RefCell<Option<JsValue>>> = Default::default();
        let popup: JsValue = self.0.clone().into();
        let here = origin();
        let channel = web_sys::BroadcastChannel::new(&popup_channel(state)).map_err(|e| {
            FlowError::new(
                ErrorCode::Browser,
                format!("The browser has no BroadcastChannel: {}", js_text(&e)),
            )
        })?;
        // Resolved by the first answer, so the wait below wakes at once instead of at its next
        // check of the window.
        let mut slot: Option<js_sys::Function> = None;
        let arrived = js_sys::Promise::new(&mut |resolve, _| slot = Some(resolve));
        let Some(wake) = slot else {
            return Err(FlowError::new(
                ErrorCode::Browser,
                "No promise for the popup's answer.",
            ));
        };
        let take = |from_popup_window: bool| {
            let sink = got.clone();
            let here = here.clone();
            let popup = popup.clone();
            let wake = wake.clone();
            wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |ev: web_sys::MessageEvent| {
                    let kind = Reflect::get(&ev.data(), &"type".into())
                        .ok()
                        .and_then(|t| t.as_string());
                    let from_popup = !from_popup_window
                        || ev.source().is_some_and(|s| JsValue::from(s) == popup);
                    if ev.origin() == here
                        && from_popup
                        && kind.as_deref() == Some("flowlab-popup-answer")
                    {
                        sink.borrow_mut().get_or_insert(ev.data());
                        let _ = wake.call0(&JsValue::NULL);
                    }
                },
            )
        };
        let on_window = take(true);
        let on_channel = take(false);
        let _ = w.add_event_listener_with_callback("message", on_window.as_ref().unchecked_ref());
        channel.set_onmessage(Some(on_channel.as_ref().unchecked_ref()));
        // `waiting(looks_closed)`: once at the start, and again when the popup looks closed.
        waiting(false);
        let mut looked_closed = false;
        let result = loop {
            if let Some(data) = got.borrow_mut().take() {
                let ack = obj(&[
                    ("type", "flowlab-popup-ack".into()),
                    ("state", state.into()),
                ]);
                let _ = channel.post_message(&ack);
                break Ok(data);
            }
            if cancelled() {
                break Err(FlowError::new(
                    ErrorCode::PopupClosed,
                    "Cancelled while waiting for the sign-in window; nothing was received. Sign in again.",
                ));
            }
            if now_ms() > deadline_ms {
                break Err(FlowError::new(
                    ErrorCode::TransactionExpired,
                    "No answer came from the sign-in window within 10 minutes; start the login again.",
                )
                .spec("RFC 9700 4.7"));
            }
            if !looked_closed && self.looks_closed() {
                looked_closed = true;
                waiting(true);
            }
            let tick = Array::of2(&arrived, &timer(250));
            let _ = JsFuture::from(js_sys::Promise::race(&tick)).await;
        };
        channel.set_onmessage(None);
        channel.close();
        let _ =
            w.remove_event_listener_with_callback("message", on_window.as_ref().unchecked_ref());
        let data = result?;
        let text = |k: &str| {
            Reflect::get(&data, &k.into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        let pairs = Reflect::get(&data, &"pairs".into())
            .map(|p| pairs_from_js(&p))
            .unwrap_or_default();
        Ok((pairs, text("source"), text("url")))
    }

    /// Whether the browser reports the popup closed (closed by the user, or cut off from this
    /// page by the provider's Cross-Origin-Opener-Policy: the two look the same from here).
    pub fn looks_closed(&self) -> bool {
        self.0.closed().unwrap_or(true)
    }
}

/// A promise that resolves after `ms` milliseconds.
fn timer(ms: i32) -> js_sys::Promise {
    js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    })
}

/// Waits `ms` milliseconds.
pub async fn sleep_ms(ms: i32) {
    let _ = JsFuture::from(timer(ms)).await;
}

fn pairs_from_js(v: &JsValue) -> Vec<(String, String)> {
    if !Array::is_array(v) {
        return Vec::new();
    }
    Array::from(v)
        .iter()
        .filter_map(|pair| {
            let pair = Array::from(&pair);
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

/// Copies text to the clipboard (best effort).
pub fn copy_text(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// Whether a key event is typing into a form control (shortcuts leave those alone).
///
/// Properties are read by name (`Reflect`): each typed accessor would add an import to the
/// JavaScript glue.
pub fn typing(ev: &web_sys::Event) -> bool {
    let prop =
        |o: &JsValue, name: &str| Reflect::get(o, &name.into()).unwrap_or(JsValue::UNDEFINED);
    let target = ev.target().map(JsValue::from).unwrap_or(JsValue::NULL);
    ["ctrlKey", "metaKey", "altKey"]
        .iter()
        .any(|k| prop(ev, k).is_truthy())
        || matches!(
            prop(&target, "tagName").as_string().as_deref(),
            Some("INPUT" | "TEXTAREA" | "SELECT")
        )
}

fn element(id: &str) -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id(id)
}

/// Brings the element with this id into view and, with `focus`, gives it the focus without a
/// second jump: a focused element's top is brought into view; otherwise the nearest edge, so
/// what is already visible does not move. An element not
/// drawn yet (drawn in this turn) is looked for again once the turn is over.
pub fn reveal(id: &str, focus: bool) {
    if !reveal_now(id, focus) {
        let id = id.to_string();
        wasm_bindgen_futures::spawn_local(async move {
            sleep_ms(0).await;
            reveal_now(&id, focus);
        });
    }
}

thread_local! {
    /// The element [`follow`] brings into view at the next frame (the latest asked for).
    static FOLLOW: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Brings the element with this id into view at the next animation frame, moving as little as
/// it can; several calls before that frame make one scroll, to the last. A scroll lays the page
/// out: done in the frame, where the browser lays it out anyway, it costs no extra layout per
/// step and does not hold up the flow that added the step.
pub fn follow(id: &str) {
    let first = FOLLOW.with_borrow_mut(|f| f.replace(id.to_string()).is_none());
    if !first {
        return;
    }
    let frame = wasm_bindgen::closure::Closure::once_into_js(move || {
        if let Some(id) = FOLLOW.with_borrow_mut(Option::take) {
            reveal_now(&id, false);
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(frame.unchecked_ref());
    }
}

fn reveal_now(id: &str, focus: bool) -> bool {
    let Some(e) = element(id) else { return false };
    let call = |target: &JsValue, method: &str, key: &str, value: JsValue| {
        let options = js_sys::Object::new();
        let _ = Reflect::set(&options, &key.into(), &value);
        if let Ok(f) = Reflect::get(target, &method.into()) {
            let _ = f
                .unchecked_into::<js_sys::Function>()
                .call1(target, &options);
        }
    };
    // A chosen element's top comes into view; a followed one moves as little as it can.
    let block = if focus { "start" } else { "nearest" };
    call(&e, "scrollIntoView", "block", block.into());
    if focus {
        call(&e, "focus", "preventScroll", true.into());
    }
    true
}

/// A same-origin GET of a text file of the app (the content file), bounded to `max` bytes.
/// A plain `fetch(url)`, so the page's `<link rel=preload>` of it is used.
pub async fn fetch_text(url: &str, max: usize) -> Result<String, FlowError> {
    let w = window()?;
    let fail = |e: JsValue| FlowError::new(ErrorCode::Network, format!("{url}: {}", js_text(&e)));
    let resp: web_sys::Response = JsFuture::from(w.fetch_with_str(url))
        .await
        .map_err(fail)?
        .unchecked_into();
    if !resp.ok() {
        return Err(FlowError::new(
            ErrorCode::Network,
            format!("{url} answered HTTP {}", resp.status()),
        ));
    }
    let text = JsFuture::from(resp.text().map_err(fail)?)
        .await
        .map_err(fail)?
        .as_string()
        .unwrap_or_default();
    if text.len() > max {
        return Err(FlowError::new(
            ErrorCode::Network,
            format!("{url} is larger than {max} bytes"),
        ));
    }
    Ok(text)
}

/// Whether this page runs in a frame of another page.
pub fn framed() -> bool {
    web_sys::window()
        .and_then(|w| w.parent().ok().flatten().map(|p| p != w))
        .unwrap_or(false)
}

/// Posts a message (JSON text, sent as the object it describes) to the parent page, to exactly
/// `origin`: the browser drops it unless the parent is of that origin.
pub fn post_to_parent(json: &str, origin: &str) {
    let Some(w) = web_sys::window() else { return };
    let Some(parent) = w.parent().ok().flatten().filter(|p| *p != w) else {
        return;
    };
    if let Ok(message) = js_sys::JSON::parse(json) {
        let _ = parent.post_message(&message, origin);
    }
}

/// A message to this page: its origin, whether it came from the parent window itself, and its
/// data as JSON text (`None` when it cannot be written as JSON or is larger than 64 KiB).
pub struct Incoming {
    pub origin: String,
    pub from_parent: bool,
    pub data: Option<String>,
}

/// Calls `f` with every message posted to this page, for as long as the page lives.
pub fn listen_messages(mut f: impl FnMut(Incoming) + 'static) {
    let Some(w) = web_sys::window() else { return };
    let parent: Option<JsValue> = w.parent().ok().flatten().map(Into::into);
    let handler = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
        move |ev: web_sys::MessageEvent| {
            let from_parent = match (&parent, ev.source()) {
                (Some(p), Some(s)) => JsValue::from(s) == *p,
                _ => false,
            };
            let data = js_sys::JSON::stringify(&ev.data())
                .ok()
                .and_then(|s| s.as_string())
                .filter(|s| s.len() <= 64 * 1024);
            f(Incoming {
                origin: ev.origin(),
                from_parent,
                data,
            })
        },
    );
    let _ = w.add_event_listener_with_callback("message", handler.as_ref().unchecked_ref());
    handler.forget();
}
