// Flowlab's form_post receiver (OAuth 2.0 Form Post Response Mode, on a static site).
//
// With response_mode=form_post the provider makes the browser POST the authorization response
// to the redirect URI. A static host cannot take a POST, so this worker does: it intercepts only
// POST navigations to the app's callback page, reads the form, and answers the navigation with
// the app's own callback page (or, for a popup login, the small relay page, relay.html). The
// fields are kept for exactly that new page (the navigation's
// resultingClientId) until the page claims them over a MessageChannel it creates, once, and are
// forgotten after a minute if never claimed. Nothing touches a URL, storage, a cache or the
// network; every other request is left alone.

const UNCLAIMED_TTL_MS = 60 * 1000;
// A popup login's state starts with this (protocol::pkce::POPUP_STATE_PREFIX): its answer is
// handed to relay.html, which relays it to the waiting page without loading the app.
const POPUP_PREFIX = 'popup.';
/** clientId -> { fields, receivedAt, release } */
const pending = new Map();

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

function callbackUrl() {
  return new URL('callback.html', self.registration.scope);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'POST' || request.mode !== 'navigate') return;
  const url = new URL(request.url);
  const callback = callbackUrl();
  if (url.origin !== callback.origin || url.pathname !== callback.pathname) return;
  event.respondWith(receive(event));
});

async function receive(event) {
  let fields = [];
  let problem = null;
  try {
    const form = await event.request.formData();
    for (const [name, value] of form.entries()) {
      if (typeof value === 'string') fields.push([name, value]);
      else problem = 'the form carried a file, which no authorization response does';
    }
  } catch {
    problem = 'the body is not a form (application/x-www-form-urlencoded)';
    fields = [];
  }
  const clientId = event.resultingClientId;
  if (clientId) {
    let release;
    const kept = new Promise((resolve) => {
      release = resolve;
    });
    pending.set(clientId, { fields, problem, receivedAt: Date.now(), release });
    // Stay alive until the page claims the fields, or forget them.
    event.waitUntil(
      Promise.race([kept, new Promise((resolve) => setTimeout(resolve, UNCLAIMED_TTL_MS))]).then(() => {
        pending.delete(clientId);
      }),
    );
  }
  // The app's own page, as the static host serves it to a GET; for a popup login, the relay.
  const state = (fields.find(([name]) => name === 'state') || [])[1] || '';
  const page = state.startsWith(POPUP_PREFIX) ? new URL('relay.html', self.registration.scope) : callbackUrl();
  return fetch(page, { credentials: 'same-origin', cache: 'no-cache', redirect: 'follow' });
}

self.addEventListener('message', (event) => {
  const client = event.source;
  const port = event.ports && event.ports[0];
  if (event.origin !== self.location.origin || !client || client.type !== 'window' || !port) return;
  if (!event.data || event.data.type !== 'flowlab-claim') return;
  const entry = pending.get(client.id);
  pending.delete(client.id);
  if (entry) entry.release();
  port.postMessage(
    entry
      ? { type: 'flowlab-form-post', fields: entry.fields, problem: entry.problem, receivedAt: entry.receivedAt }
      : { type: 'flowlab-form-post', fields: null },
  );
});
