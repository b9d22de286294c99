// End to end: the implicit flow with response_mode=form_post (OIDC Core 3.2), against the
// bundled provider: the ID token (and, legacy, an access token) arrive in the provider's POST,
// which the Service Worker takes; the ID token's signature, nonce and at_hash are checked.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditNoTokens, environment, rewriteProviderAnswer, settled, signInAtProvider, watch } from './harness.mjs';

const APP_PORT = 18083;
const IDP_PORT = 19003;
const origin = `http://127.0.0.1:${APP_PORT}`;
const env = environment({ appPort: APP_PORT, idpPort: IDP_PORT, before, after });

/** Opens the app for an implicit login and waits for the Service Worker to control it. */
async function open(page, responseType) {
  const q = new URLSearchParams({ issuer: env.idp.issuer, client_id: 'flowlab-demo', flow: 'implicit', response_type: responseType });
  await page.goto(`${origin}/?${q}`);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
}

/** Records the fields the provider POSTs to the callback (they hold the tokens). */
function capturePost(page) {
  const box = {};
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/callback.html')) box.fields = new URLSearchParams(r.postData() || '');
  });
  return box;
}

describe('implicit with form_post', () => {
  test('id_token: authentication only, verified, nothing stored, no POST at the host', async () => {
    const page = await (await env.browser.newContext()).newPage();
    const seen = watch(page, origin);
    const post = capturePost(page);
    const before = env.app.requests().length;
    await open(page, 'id_token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signInAtProvider(page, env.idp.issuer);
    const r = await settled(page);
    assert.equal(r.status, 'signed-in', r.text);
    assert.match(await page.getByTestId('id-token-claims').innerText(), /sub\s+alice/);
    const ids = await page.locator('li.step').evaluateAll((els) => els.map((e) => e.dataset.step));
    assert.deepEqual(ids, ['discovery', 'prepare', 'authorize', 'user-login', 'callback', 'handover', 'jwks', 'id-token']);
    const authorize = await page.locator('li.step[data-step=authorize]').innerText();
    assert.match(authorize, /[?&]response_type=id_token\s/);
    assert.match(authorize, /response_mode=form_post/);
    for (const name of ['signature', 'nonce', 'aud', 'iss']) {
      await page.locator('li.step[data-step=id-token] li.check.pass').filter({ has: page.locator('strong', { hasText: new RegExp(`^${name}$`) }) }).waitFor({ timeout: 2000 });
    }
    assert.equal(await page.getByRole('button', { name: 'Call the API' }).isDisabled(), true, 'no access token, no API call');
    const idToken = post.fields.get('id_token');
    assert.ok(idToken);
    const host = env.app.requests().slice(before);
    assert.ok(!host.some((q) => q.startsWith('POST')), host.join('\n'));
    const audit = await auditNoTokens(page, page.context(), [idToken], seen.navigations, host);
    assert.deepEqual(audit.found, []);
    assert.deepEqual(seen.tokenRequests, [], 'the implicit flow calls no token endpoint');
    assert.deepEqual(seen.errors, []);
  });

  test('id_token token (legacy): at_hash binds the access token, userinfo is called', async () => {
    const page = await (await env.browser.newContext()).newPage();
    const seen = watch(page, origin);
    const post = capturePost(page);
    await open(page, 'id_token token');
    assert.match(await page.locator('#response_type-hint').innerText(), /legacy/);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signInAtProvider(page, env.idp.issuer);
    const r = await settled(page);
    assert.equal(r.status, 'signed-in', r.text);
    assert.match(await page.locator('li.step[data-step=authorize]').innerText(), /LEGACY/);
    await page.locator('li.step[data-step=id-token] li.check.pass').filter({ has: page.locator('strong', { hasText: /^at_hash$/ }) }).waitFor({ timeout: 2000 });
    assert.equal(JSON.parse(await page.getByTestId('api-response').innerText()).sub, 'alice');
    const tokens = [post.fields.get('id_token'), post.fields.get('access_token')];
    assert.ok(tokens.every(Boolean));
    const audit = await auditNoTokens(page, page.context(), tokens, seen.navigations, env.app.requests());
    assert.deepEqual(audit.found, []);
  });

  test('an access token swapped in the POST fails at_hash', async () => {
    const page = await (await env.browser.newContext()).newPage();
    await open(page, 'id_token token');
    // Rewrite the provider's auto-submitting form before the browser posts it.
    await rewriteProviderAnswer(page, env.idp.issuer, ({ html }) => html && { html: html.replace(/(name="access_token" value=")[^"]+/, '$1swapped-access-token-value') });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signInAtProvider(page, env.idp.issuer);
    const r = await settled(page);
    assert.equal(r.error, 'hash_mismatch', r.text);
  });

  test("another login's ID token (wrong nonce) is refused", async () => {
    // First login: keep its ID token.
    const first = await (await env.browser.newContext()).newPage();
    const post = capturePost(first);
    await open(first, 'id_token');
    await first.getByRole('button', { name: 'Sign in' }).click();
    await signInAtProvider(first, env.idp.issuer);
    assert.equal((await settled(first)).status, 'signed-in');
    const stolen = post.fields.get('id_token');
    // Second login: the provider's answer carries the first login's token instead.
    const page = await (await env.browser.newContext()).newPage();
    const seen = watch(page, origin);
    await open(page, 'id_token');
    await rewriteProviderAnswer(page, env.idp.issuer, ({ html }) => html && { html: html.replace(/(name="id_token" value=")[^"]+/, `$1${stolen}`) });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signInAtProvider(page, env.idp.issuer);
    const r = await settled(page);
    assert.equal(r.error, 'nonce_mismatch', r.text);
    await page.locator('li.step[data-step=id-token] li.check.pass').filter({ has: page.locator('strong', { hasText: /^signature$/ }) }).waitFor({ timeout: 2000 });
    assert.deepEqual(seen.errors, []);
  });
});
