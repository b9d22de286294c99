// End to end against a second, independently written provider: django-oauth-toolkit as its users
// run it (tests/dot/: Django's defaults, so every page sends Cross-Origin-Opener-Policy:
// same-origin; CORS by django-cors-headers; no shim). Every row that it supports signs in, in
// both windows where the flow has a front channel, with no token in any storage, URL or history;
// what it does not support ends in a named refusal before anything is sent.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditNoTokens, environment, outcome, settled, signInAtDot, watch } from './harness.mjs';

const APP_PORT = 18097;
const DOT_PORT = 19017;
const origin = `http://127.0.0.1:${APP_PORT}`;
const env = environment({ appPort: APP_PORT, idpPort: DOT_PORT, provider: 'dot', before, after });

async function open(params) {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const seen = watch(page, origin);
  // The token answers, read on their way (a preflighted response's body is not otherwise
  // available to the test), so the audit knows every token issued.
  await page.route(`${env.idp.issuer}/token/`, async (route) => {
    const response = await route.fetch();
    const body = await response.text();
    try {
      const j = JSON.parse(body);
      for (const k of ['access_token', 'id_token', 'refresh_token']) if (j[k] && !seen.tokens.includes(j[k])) seen.tokens.push(j[k]);
    } catch {
      /* not JSON: nothing issued */
    }
    await route.fulfill({ response, body });
  });
  const q = new URLSearchParams({ issuer: env.idp.issuer, ...params });
  await page.goto(`${origin}/?${q}`);
  await page.waitForFunction(() => !document.querySelector('[data-testid=sign-in]').disabled);
  return { context, page, seen };
}

/** Signs in in the chosen window and returns the outcome (`seen` also records the popup). */
async function signIn(page, window, seen) {
  if (window === 'popup') {
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Sign in' }).click()]);
    const inPopup = watch(popup);
    await signInAtDot(popup, env.idp.origin);
    const r = await settled(page);
    if (seen) seen.frontTokens.push(...inPopup.frontTokens);
    return r;
  }
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signInAtDot(page, env.idp.origin);
  return settled(page);
}

/** Tokens the page holds, read from what it was given (the token endpoint and the front channel). */
async function audit(page, seen, extraTokens = []) {
  const tokens = [...seen.tokens, ...seen.frontTokens, ...extraTokens];
  assert.ok(seen.tokens.length + seen.frontTokens.length > 0, 'the audit knows the tokens issued');
  const { found } = await auditNoTokens(page, page.context(), tokens, [], env.app.requests());
  assert.deepEqual(found, []);
  const url = page.url();
  for (const t of tokens) assert.ok(!url.includes(t), 'no token in the address bar');
}

const ROWS = [
  ['authorization code with PKCE', { client_id: 'flowlab-dot-spa' }],
  ['implicit (id_token token) in the fragment', { client_id: 'flowlab-dot-implicit', flow: 'implicit', response_type: 'id_token token', response_mode: 'fragment' }],
  ['hybrid (code id_token) in the fragment', { client_id: 'flowlab-dot-hybrid', flow: 'hybrid', response_mode: 'fragment' }],
];

describe('django-oauth-toolkit with its defaults', () => {
  for (const [name, params] of ROWS) {
    for (const window of ['redirect', 'popup']) {
      test(`${name}, ${window} window`, async () => {
        const { page, seen } = await open({ ...params, window, scope: 'openid profile email' });
        const r = await signIn(page, window, seen);
        assert.equal(r.status, 'signed-in', r.text);
        const claims = await page.getByTestId('id-token-claims').innerText();
        assert.match(claims, /preferred_username\s+alice/);
        assert.match(claims, /iss\s+http:\/\/127\.0\.0\.1:\d+\/o/);
        await audit(page, seen);
        assert.deepEqual(seen.errors, []);
        await page.context().close();
      });
    }
  }

  test('form_post asked: refused before anything is sent, with the member quoted', async () => {
    const { page, seen } = await open({ client_id: 'flowlab-dot-implicit', flow: 'implicit', response_mode: 'form_post' });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
    await page.getByRole('button', { name: 'Sign in' }).click();
    const r = await settled(page);
    assert.equal(r.error, 'unsupported_by_provider', r.text);
    assert.match(r.text, /does not publish response_modes_supported; its default is query, fragment/);
    assert.match(r.text, /Choose response mode fragment/);
    assert.ok(seen.requests.every((q) => !q.includes('/o/authorize')), 'the browser never went to the provider');
    assert.deepEqual(seen.navigations.length, 1);
    await page.context().close();
  });

  test('the popup survives Cross-Origin-Opener-Policy: the opener link is cut, the answer still arrives', async () => {
    const { page } = await open({ client_id: 'flowlab-dot-spa', window: 'popup' });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Sign in' }).click()]);
    const popupRequests = [];
    popup.on('request', (q) => popupRequests.push(q.url()));
    await popup.waitForURL((u) => u.href.startsWith(`${env.idp.origin}/accounts/login/`), { timeout: 15000 });
    const response = await popup.reload();
    assert.equal(response.headers()['cross-origin-opener-policy'], 'same-origin');
    // The browser now reports the popup closed to this page; the app waits, with Cancel.
    await page.waitForFunction(() => /Cross-Origin-Opener-Policy/.test(document.querySelector('[data-testid=outcome]').textContent), null, { timeout: 10000 });
    assert.equal(await page.getByRole('button', { name: 'Cancel' }).isEnabled(), true);
    await signInAtDot(popup, env.idp.origin);
    const r = await settled(page);
    assert.equal(r.status, 'signed-in', r.text);
    assert.equal(await page.getByRole('button', { name: 'Cancel' }).isEnabled(), false);
    // The relay closed the popup once the answer was taken (a cut-off popup is still script-closable).
    if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 5000 });
    // The popup's callback page relayed without loading the app a second time.
    const fromApp = popupRequests.filter((u) => u.startsWith(origin));
    assert.ok(fromApp.some((u) => u.includes('/callback.html')), fromApp.join('\n'));
    assert.deepEqual(fromApp.filter((u) => /\.wasm$|flowlab-[0-9a-f]+\.js$|\.css$/.test(u)), []);
    await page.context().close();
  });

  test('the provider card with the django-oauth-toolkit preset: members, endpoints it leaves out, console settings, CORS, keys', async () => {
    const { page } = await open({ preset: 'django-oauth-toolkit', client_id: 'flowlab-dot-spa', flow: 'device' });
    await page.getByTestId('discover').click();
    await page.waitForFunction(() => document.querySelector('li.step[data-step=jwks]')?.dataset.status);
    const discovery = page.locator('li.step[data-step=discovery]');
    // Discovery leaves out the device and revocation endpoints: the preset supplies them, and says so.
    const supplied = await discovery.locator('li.check.warn', { hasText: 'endpoint from the preset' }).allInnerTexts();
    assert.equal(supplied.length, 2, supplied.join('\n'));
    assert.match(supplied.join(' '), /device-authorization/);
    assert.match(await discovery.locator('li.check', { hasText: 'response_type supported' }).count().then(String), /^0$/);
    // The console settings, with this app's own values.
    assert.match(await page.locator('li.step[data-step=preset]').innerText(), new RegExp(`CORS_ALLOWED_ORIGINS[\\s\\S]*${origin.replace(/[.]/g, '\\.')}`));
    // Every endpoint the device flow calls from this page allows it; the keys pass.
    const cors = await page.locator('li.step[data-step=cors-probe] li.check').allInnerTexts();
    assert.deepEqual(cors.map((t) => /readable from/.test(t)), [true, true, true, true], cors.join('\n'));
    assert.match(cors.join(' '), /device_authorization_endpoint/);
    assert.equal(await page.locator('li.step[data-step=jwks] li.check.fail').count(), 0);
    assert.match(await outcome(page).innerText(), /ready to sign in/);
    await page.context().close();
  });

  test('without openid: a plain OAuth 2.0 run, no nonce, no ID token expected, the API the only source', async () => {
    const { page, seen } = await open({ client_id: 'flowlab-dot-spa', scope: 'read', api_url: `${env.idp.origin}/api/hello` });
    const authorize = page.waitForRequest((q) => q.url().startsWith(`${env.idp.issuer}/authorize/`));
    await page.getByRole('button', { name: 'Sign in' }).click();
    const query = new URL((await authorize).url()).searchParams;
    assert.equal(query.get('scope'), 'read');
    assert.equal(query.get('nonce'), null);
    await signInAtDot(page, env.idp.origin);
    const r = await settled(page);
    assert.equal(r.status, 'signed-in', r.text);
    assert.match(await page.locator('li.step[data-step=no-id-token]').innerText(), /no signed statement of who the user is/);
    assert.equal(await page.getByTestId('id-token-claims').count(), 0);
    await page.getByRole('button', { name: 'Call the API' }).click();
    await page.waitForFunction(() => /flowlab-dot-spa/.test(document.querySelector('[data-testid=api-response]')?.textContent || ''));
    await audit(page, seen);
    await page.context().close();
  });

  test('device flow: refused without the preset (discovery names no device endpoint), signed in with it', async () => {
    let { page } = await open({ client_id: 'flowlab-dot-device', flow: 'device', scope: 'openid profile' });
    await page.getByRole('button', { name: 'Sign in' }).click();
    const r = await settled(page);
    assert.equal(r.error, 'unsupported_by_provider', r.text);
    await page.context().close();
    ({ page } = await open({ preset: 'django-oauth-toolkit', client_id: 'flowlab-dot-device', flow: 'device', scope: 'openid profile' }));
    await page.getByRole('button', { name: 'Sign in' }).click();
    const code = page.getByTestId('user-code');
    await code.waitFor({ timeout: 10000 });
    const userCode = await code.innerText();
    // The user, on another device: DOT's own pages (log in, enter the code, accept).
    const phone = await (await env.browser.newContext()).newPage();
    await phone.goto(await page.getByTestId('verification-uri').getAttribute('href'));
    await phone.fill('input[name=username]', 'bob');
    await phone.fill('input[name=password]', 'looking-glass');
    await Promise.all([phone.waitForURL(/\/o\/device\/$/), phone.click('button[type=submit]')]);
    await phone.fill('input[name=user_code]', userCode);
    await Promise.all([phone.waitForURL(/device-confirm/), phone.locator('form [type=submit]').first().click()]);
    await phone.getByRole('button', { name: 'Accept' }).click();
    const done = await settled(page, 30000);
    assert.equal(done.status, 'signed-in', done.text);
    // DOT issues no ID token for the device grant: with openid asked, the poll step says so.
    assert.match(await page.locator('li.step[data-step=poll] li.check.warn').innerText(), /no ID token came back/);
    await phone.context().close();
    await page.context().close();
  });

  test('code flow with a client secret (popup)', async () => {
    const { page, seen } = await open({ client_id: 'flowlab-dot-web', flow: 'code' });
    await page.getByTestId('client-secret').fill('flowlab-dot-web-secret');
    const r = await signIn(page, 'popup');
    assert.equal(r.status, 'signed-in', r.text);
    await audit(page, seen, ['flowlab-dot-web-secret']);
    await page.context().close();
  });

  test('client credentials, and the provider\'s API', async () => {
    const { page, seen } = await open({ client_id: 'flowlab-dot-m2m', flow: 'client-credentials', scope: 'read', api_url: `${env.idp.origin}/api/hello` });
    await page.getByTestId('client-secret').fill('flowlab-dot-m2m-secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const r = await settled(page);
    assert.equal(r.status, 'signed-in', r.text);
    await page.getByRole('button', { name: 'Call the API' }).click();
    await page.waitForFunction(() => /flowlab-dot-m2m/.test(document.querySelector('[data-testid=api-response]')?.textContent || ''));
    // grant_types_supported is absent: client_credentials is outside its default, a warning only.
    assert.match(await page.locator('li.step[data-step=discovery] li.check.warn').first().innerText(), /grant_types_supported/);
    await audit(page, seen, ['flowlab-dot-m2m-secret']);
    await page.context().close();
  });

  test('refresh with rotation, then sign-out (token-free, confirmed at the provider)', async () => {
    const { page, seen } = await open({ client_id: 'flowlab-dot-spa' });
    let r = await signIn(page, 'redirect');
    assert.equal(r.status, 'signed-in', r.text);
    const firstRefresh = seen.tokens.find((t) => !t.includes('.') && t !== seen.tokens[0]);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.waitForFunction(() => document.querySelector('li.step[data-step=refresh]')?.dataset.status !== undefined);
    r = await settled(page);
    assert.equal(r.status, 'signed-in', r.text);
    assert.match(await page.locator('li.step[data-step=refresh] li.check.pass', { hasText: 'rotation' }).innerText(), /replaces the old one/);
    assert.ok(firstRefresh, 'a refresh token was issued');
    await audit(page, seen);
    const logout = page.waitForRequest((q) => q.url().startsWith(`${env.idp.issuer}/logout/`));
    await page.getByRole('button', { name: 'Sign out' }).click();
    const request = await logout;
    assert.equal(request.method(), 'GET');
    assert.ok(!request.url().includes('id_token_hint'));
    await page.getByRole('button', { name: 'Logout' }).click();
    await page.waitForURL((u) => u.href.startsWith(origin), { timeout: 10000, waitUntil: 'commit' });
    await outcome(page).waitFor();
    assert.match(await outcome(page).innerText(), /Signed out/);
    await page.context().close();
  });
});
