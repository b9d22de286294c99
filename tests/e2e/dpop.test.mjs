// End to end: DPoP (RFC 9449) against the bundled provider. Sign-ins in both windows with the
// tokens bound to a key made in the page (dpop_jkt only where the page stays: the popup); the
// nonce demands of the token endpoint and of the demo API answered by one retry each; the
// stolen token refused by the API as a Bearer token and with another key's proof; break-it's
// wrong htu refused by the provider; a provider answering with Bearer tokens refused. No proof
// and no token in any storage.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditNoTokens, environment, settled, signIn, watch, openConfig } from './harness.mjs';

const APP_PORT = 18098;
const IDP_PORT = 19018;
const origin = `http://127.0.0.1:${APP_PORT}`;
const env = environment({ appPort: APP_PORT, idpPort: IDP_PORT, before, after });

const stepIds = (page) => page.locator('li.step').evaluateAll((els) => els.map((e) => e.dataset.step));
const checkClass = (page, step, name) =>
  page.locator(`li.step[data-step=${step}] li.check`).filter({ has: page.locator('strong', { hasText: new RegExp(`^${name}$`) }) }).last().getAttribute('class');
const b64json = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** Opens the app with DPoP on; records every DPoP proof and Authorization header it sends. */
async function open(params) {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const seen = watch(page, origin);
  seen.proofs = [];
  seen.sent = [];
  // The context's requests: the popup's too.
  context.on('request', (r) => {
    const h = r.headers();
    if (h.dpop) seen.proofs.push(h.dpop);
    if (new URL(r.url()).origin === env.idp.issuer) seen.sent.push({ method: r.method(), url: r.url(), dpop: h.dpop, authorization: h.authorization });
  });
  const q = new URLSearchParams({ issuer: env.idp.issuer, client_id: 'flowlab-demo', dpop: 'on', api_url: `${env.idp.issuer}/api/hello`, ...params });
  await page.goto(`${origin}/?${q}`);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
  return { context, page, seen };
}


/** The thumbprint the binding tab shows for this tab's key. */
async function boundKey(page) {
  await page.locator('#tab-binding').click();
  const table = page.getByTestId('dpop-binding');
  return (await table.locator('tr', { hasText: "This tab's key" }).locator('code').innerText()).trim();
}

async function audit(page, context, seen) {
  const { found } = await auditNoTokens(page, context, [...seen.tokens, ...seen.proofs], seen.navigations, env.app.requests());
  assert.deepEqual(found, [], 'no token or proof in any storage, URL or request to the static host');
  for (const p of seen.proofs) assert.ok(!(await page.content()).includes(p), 'every proof is masked on the page');
}

describe('DPoP', () => {
  for (const popupWindow of [true, false]) {
    const name = popupWindow ? 'popup' : 'redirect';
    test(`${name} window: the tokens are bound to the page's key, every request carries a proof`, async () => {
      const { context, page, seen } = await open(popupWindow ? { window: 'popup' } : {});
      const r = await signIn(page, env.idp.issuer, popupWindow);
      assert.equal(r.status, 'signed-in', r.text);

      const jkt = await boundKey(page);
      assert.match(jkt, /^[A-Za-z0-9_-]{43}$/);
      // dpop_jkt binds the code only where the page that asked is still there.
      const auth = seen.sent.find((s) => s.url.startsWith(`${env.idp.issuer}/auth?`));
      const sentJkt = new URL(auth.url).searchParams.get('dpop_jkt');
      if (popupWindow) {
        assert.equal(sentJkt, jkt, 'dpop_jkt is the thumbprint of the key');
        assert.match(await checkClass(page, 'authorize', 'dpop_jkt'), /\bpass\b/);
      } else {
        assert.equal(sentJkt, null, 'no dpop_jkt in the redirect window');
        assert.match(await checkClass(page, 'authorize', 'dpop_jkt'), /\bskip\b/);
      }

      // The token request: a proof for POST at the token endpoint, with the public key only.
      const token = seen.sent.find((s) => s.method === 'POST' && s.url === `${env.idp.issuer}/token`);
      assert.ok(token?.dpop, 'the token request carries a DPoP header');
      const [h, p] = token.dpop.split('.').slice(0, 2).map(b64json);
      assert.equal(h.typ, 'dpop+jwt');
      assert.equal(h.alg, 'ES256');
      assert.ok(h.jwk && !('d' in h.jwk), 'the public key only');
      assert.equal(p.htm, 'POST');
      assert.equal(p.htu, `${env.idp.issuer}/token`);
      assert.equal(p.ath, undefined);
      for (const c of ['token_type DPoP', 'DPoP proof']) assert.match(await checkClass(page, 'token', c), /\bpass\b/, c);

      // The API call: Authorization: DPoP, a proof with ath, accepted by the demo API.
      const api = seen.sent.find((s) => s.url === `${env.idp.issuer}/api/hello` && s.method === 'GET');
      assert.match(api.authorization, /^DPoP /);
      const apiProof = b64json(api.dpop.split('.')[1]);
      assert.equal(apiProof.htm, 'GET');
      assert.ok(apiProof.ath, 'ath binds the proof to the access token');
      assert.notEqual(apiProof.jti, p.jti, 'a fresh proof per request');
      await page.locator('#tab-api').click();
      assert.match(await page.getByTestId('api-response').innerText(), /"token_type": "DPoP"/);
      assert.match(await page.locator('li.step[data-step=token]').innerText(), /DPoP: •+\[masked/);
      await audit(page, context, seen);
      assert.deepEqual(seen.errors, []);
      await context.close();
    });
  }

  test('nonces: the token endpoint and the API each demand one, and one retry answers each', async () => {
    const { context, page, seen } = await open({ client_id: 'flowlab-dpop-nonce', window: 'popup', scope: 'openid profile offline_access', prompt: 'consent' });
    const r = await signIn(page, env.idp.issuer, true);
    assert.equal(r.status, 'signed-in', r.text);
    const ids = await stepIds(page);
    const at = (id) => ids.indexOf(id);
    assert.equal(ids[at('token') + 1], 'nonce-retry', `the token request is sent again: ${ids}`);
    assert.equal(ids[at('api') + 1], 'nonce-retry', `the API call is sent again: ${ids}`);
    assert.match(await page.locator('li.step[data-step=token]').innerText(), /use_dpop_nonce/);
    assert.match(await checkClass(page, 'token', 'use_dpop_nonce'), /\bpass\b/);
    const withNonce = seen.proofs.map((x) => b64json(x.split('.')[1])).filter((x) => x.nonce);
    assert.ok(withNonce.some((x) => x.htm === 'POST') && withNonce.some((x) => x.htm === 'GET'), 'both retries carry a nonce');
    // A refresh keeps the binding (and uses the nonce it already has: no retry).
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.waitForFunction(() => /Refreshed/.test(document.querySelector('[data-testid=outcome]').innerText), null, { timeout: 15000 });
    const after = await stepIds(page);
    assert.deepEqual(after.slice(after.lastIndexOf('refresh')), ['refresh', 'jwks', 'id-token'], 'the nonce it had was good: no retry');
    assert.match(await checkClass(page, 'refresh', 'binding kept'), /\bpass\b/);
    await audit(page, context, seen);
    await context.close();
  });

  test('steal the token: the API refuses it as a Bearer token and with another key', async () => {
    const { context, page, seen } = await open({ window: 'popup' });
    assert.equal((await signIn(page, env.idp.issuer, true)).status, 'signed-in');
    const jkt = await boundKey(page);
    await page.getByTestId('steal-token').click();
    const r = await settled(page);
    assert.equal(r.status, 'signed-in', r.text);
    assert.match(r.text, /refused the stolen token/);
    assert.match(await checkClass(page, 'steal-bearer', 'Bearer replay refused'), /\bpass\b/);
    assert.match(await checkClass(page, 'steal-other-key', 'other key refused'), /\bpass\b/);
    const thief = seen.sent.filter((s) => s.url.endsWith('/api/hello')).slice(-2);
    assert.match(thief[0].authorization, /^Bearer /);
    assert.equal(thief[0].dpop, undefined);
    const other = b64json(thief[1].dpop.split('.')[0]).jwk;
    assert.notEqual(JSON.stringify(other), JSON.stringify(b64json(seen.proofs[0].split('.')[0]).jwk), 'another key signed it');
    assert.match(await page.locator('li.step[data-step=steal-other-key]').innerText(), /HTTP 401/);
    assert.equal(await boundKey(page), jkt, "the session keeps this tab's key");
    await audit(page, context, seen);
    await context.close();
  });

  test('break it: a proof for another URL (htu) is refused by the provider', async () => {
    const { context, page } = await open({ window: 'popup', break_it: 'dpop_htu' });
    const r = await signIn(page, env.idp.issuer, true);
    assert.equal(r.error, 'idp_error', r.text);
    assert.match(r.text, /invalid_dpop_proof/);
    assert.match(await checkClass(page, 'token', 'break-it'), /\bskip\b/);
    await context.close();
  });

  test('a provider that answers a DPoP request with a Bearer token is refused: dpop_not_bound', async () => {
    // The bundled provider's password grant (added for the demo) issues Bearer tokens only.
    const { context, page } = await open({ flow: 'password' });
    await openConfig(page);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password', { exact: true }).fill('looking-glass');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const r = await settled(page);
    assert.equal(r.error, 'dpop_not_bound', r.text);
    assert.match(await checkClass(page, 'token', 'token_type DPoP'), /\bfail\b/);
    await context.close();
  });
});
