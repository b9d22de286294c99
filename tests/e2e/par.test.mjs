// End to end: Pushed Authorization Requests (RFC 9126) against the bundled provider. The
// parameters are POSTed first, the browser carries only client_id and request_uri, in both
// windows (the push's panel is rebuilt after the redirect); with DPoP the pushed request binds
// the code (dpop_jkt); break-it's altered state goes into the push and is still caught; a
// provider that requires PAR gets it without being asked; a PAR endpoint that refuses this
// origin (CORS) is named as such, before the browser goes anywhere.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditNoTokens, environment, settled, signIn, watch } from './harness.mjs';

const APP_PORT = 18099;
const IDP_PORT = 19019;
const origins = [`http://127.0.0.1:${APP_PORT}`, `http://localhost:${APP_PORT}`];
// CORS for 127.0.0.1 only: the app opened at localhost shows a PAR endpoint refusing it.
const env = environment({ appPort: APP_PORT, idpPort: IDP_PORT, extraOrigins: [origins[1]], corsOrigins: [origins[0]], before, after });
// A provider that takes authorization requests only by push.
const REQUIRED_APP_PORT = 18100;
const required = environment({ appPort: REQUIRED_APP_PORT, idpPort: 19020, idpEnv: { REQUIRE_PAR: '1' }, before, after });

const stepIds = (page) => page.locator('li.step').evaluateAll((els) => els.map((e) => e.dataset.step));
const checkClass = (page, step, name) =>
  page.locator(`li.step[data-step=${step}] li.check`).filter({ has: page.locator('strong', { hasText: new RegExp(`^${name}$`) }) }).last().getAttribute('class');

async function open(e, params, at = e.origin) {
  const context = await e.browser.newContext();
  const page = await context.newPage();
  const seen = watch(page, at);
  seen.sent = [];
  context.on('request', (r) => {
    if (new URL(r.url()).origin === e.idp.issuer) seen.sent.push({ method: r.method(), url: r.url(), body: r.postData() || '' });
  });
  const q = new URLSearchParams({ issuer: e.idp.issuer, client_id: 'flowlab-demo', ...params });
  await page.goto(`${at}/?${q}`);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
  return { context, page, seen };
}


/** The push and the browser's authorization request, as sent. */
function pushAndRedirect(e, seen) {
  const push = seen.sent.find((s) => s.method === 'POST' && s.url === `${e.idp.issuer}/request`);
  const auth = seen.sent.find((s) => s.url.startsWith(`${e.idp.issuer}/auth?`));
  return { push: push && new URLSearchParams(push.body), auth: auth && new URL(auth.url).searchParams };
}

describe('PAR', () => {
  for (const popupWindow of [true, false]) {
    test(`${popupWindow ? 'popup' : 'redirect'} window: the parameters are pushed, the browser carries a reference`, async () => {
      const { context, page, seen } = await open(env, { par: 'on', ...(popupWindow ? { window: 'popup' } : {}) });
      const r = await signIn(page, env.idp.issuer, popupWindow);
      assert.equal(r.status, 'signed-in', r.text);
      const { push, auth } = pushAndRedirect(env, seen);
      assert.ok(push, 'the request was pushed');
      for (const k of ['response_type', 'redirect_uri', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'client_id']) assert.ok(push.get(k), k);
      assert.deepEqual([...auth.keys()], ['client_id', 'request_uri'], 'the browser carries client_id and request_uri only');
      assert.match(auth.get('request_uri'), /^urn:ietf:params:oauth:request_uri:/);
      const ids = await stepIds(page);
      assert.deepEqual(ids.slice(0, 5), ['discovery', 'prepare', 'par', 'authorize', 'user-login'], `${ids}`);
      assert.match(await checkClass(page, 'par', 'request_uri'), /\bpass\b/);
      assert.match(await page.locator('li.step[data-step=par]').innerText(), /HTTP 201/);
      assert.match(await page.locator('li.step[data-step=authorize]').innerText(), /request_uri/);
      const { found } = await auditNoTokens(page, context, seen.tokens, seen.navigations, env.app.requests());
      assert.deepEqual(found, []);
      assert.deepEqual(seen.errors, []);
      await context.close();
    });
  }

  test('with DPoP: dpop_jkt is pushed with the rest, and the tokens are bound', async () => {
    const { context, page, seen } = await open(env, { par: 'on', dpop: 'on', window: 'popup' });
    const r = await signIn(page, env.idp.issuer, true);
    assert.equal(r.status, 'signed-in', r.text);
    const { push, auth } = pushAndRedirect(env, seen);
    assert.match(push.get('dpop_jkt'), /^[A-Za-z0-9_-]{43}$/);
    assert.equal(auth.get('dpop_jkt'), null);
    assert.match(await checkClass(page, 'token', 'token_type DPoP'), /\bpass\b/);
    await context.close();
  });

  test('break it: the altered state goes into the push, and the answer is still refused (state_mismatch)', async () => {
    const { context, page, seen } = await open(env, { par: 'on', break_it: 'state' });
    const r = await signIn(page, env.idp.issuer, false);
    assert.equal(r.error, 'state_mismatch', r.text);
    assert.deepEqual(seen.tokenRequests, []);
    await context.close();
  });

  test('a provider that requires PAR gets a push although PAR was not chosen', async () => {
    const { context, page, seen } = await open(required, { window: 'popup' });
    const r = await signIn(page, required.idp.issuer, true);
    assert.equal(r.status, 'signed-in', r.text);
    assert.ok(pushAndRedirect(required, seen).push, 'pushed');
    assert.match(await checkClass(page, 'par', 'PAR required'), /\bpass\b/);
    await context.close();
  });

  test('a PAR endpoint that refuses this origin is named (cors), and the browser goes nowhere', async () => {
    const { context, page, seen } = await open(env, { par: 'on', redirect_uri: `${origins[1]}/callback.html` }, origins[1]);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const r = await settled(page);
    assert.equal(r.error, 'cors', r.text);
    assert.ok(r.text.includes(origins[1]), r.text);
    assert.match(await checkClass(page, 'par', 'reachable'), /\bfail\b/);
    assert.equal(seen.navigations.length, 1, 'the page stayed');
    await context.close();
  });
});
