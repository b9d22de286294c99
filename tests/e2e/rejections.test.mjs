// End to end: what Flowlab refuses, against the real bundled provider. Where a provider would
// have to misbehave (a forged signature, a malformed token, an HTML error page), the test
// rewrites the provider's real answer in flight; everything else is the provider's own doing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { environment, settled, signInAtProvider, watch } from './harness.mjs';

const APP_PORT = 18081;
const IDP_PORT = 19001;
const origin = `http://127.0.0.1:${APP_PORT}`;
const env = environment({ appPort: APP_PORT, idpPort: IDP_PORT, before, after });

async function newPage() {
  return (await env.browser.newContext()).newPage();
}

async function startLogin(page, extra = '') {
  await page.goto(`${origin}/?issuer=${encodeURIComponent(env.idp.issuer)}&client_id=flowlab-demo${extra}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Rewrites the token endpoint's JSON answer with `edit` before the page sees it. */
async function editTokenResponse(page, edit) {
  await page.route(`${env.idp.issuer}/token`, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const response = await route.fetch();
    const json = await response.json();
    edit(json);
    return route.fulfill({ response, json });
  });
}

describe('rejections', () => {
  test('an ID token whose signature was altered: bad_signature, no API call', async () => {
    const page = await newPage();
    const seen = watch(page, origin);
    await editTokenResponse(page, (j) => {
      const [h, p, s] = j.id_token.split('.');
      const flipped = (s[10] === 'A' ? 'B' : 'A');
      j.id_token = `${h}.${p}.${s.slice(0, 10)}${flipped}${s.slice(11)}`;
    });
    await startLogin(page);
    await signInAtProvider(page, env.idp.issuer);
    const r = await settled(page);
    assert.equal(r.error, 'bad_signature', r.text);
    await page.locator('li.step[data-step=id-token] li.check.fail', { hasText: 'signature' }).waitFor({ timeout: 2000 });
    // The claims are still checked and shown, each on its own line.
    assert.ok(await page.locator('li.step[data-step=id-token] li.check.pass', { hasText: 'nonce' }).count());
    assert.ok(!seen.requests.some((q) => q.includes('/me')), 'userinfo was not called');
    assert.equal(await page.getByTestId('id-token-claims').count(), 0);
  });

  test('an ID token signed with alg none is refused before any key is used', async () => {
    const page = await newPage();
    watch(page, origin);
    await editTokenResponse(page, (j) => {
      const [, p] = j.id_token.split('.');
      j.id_token = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`;
    });
    await startLogin(page);
    await signInAtProvider(page, env.idp.issuer);
    const r = await settled(page);
    assert.equal(r.error, 'unsupported_alg', r.text);
    // The key set may have been requested ahead, while the token request was in flight; no key
    // was chosen or used: there is no key step.
    assert.equal(await page.locator('li.step[data-step=jwks]').count(), 0, 'no key step');
  });

  test('a malformed ID token: malformed_jwt, explained', async () => {
    const page = await newPage();
    await editTokenResponse(page, (j) => {
      j.id_token = 'not-a-jwt';
    });
    await startLogin(page);
    await signInAtProvider(page, env.idp.issuer);
    const r = await settled(page);
    assert.equal(r.error, 'malformed_jwt', r.text);
    assert.match(r.text, /three parts/);
  });

  test("the token endpoint's HTML error page is named as such", async () => {
    const page = await newPage();
    await page.route(`${env.idp.issuer}/token`, (route) =>
      route.fulfill({
        status: 502,
        contentType: 'text/html',
        headers: { 'access-control-allow-origin': origin },
        body: '<!doctype html><html><head><title>502 Bad Gateway</title></head><body>upstream</body></html>',
      }),
    );
    await startLogin(page);
    await signInAtProvider(page, env.idp.issuer);
    const r = await settled(page);
    assert.equal(r.error, 'bad_response', r.text);
    assert.match(r.text, /HTML page titled .502 Bad Gateway./);
  });

  test('a 5 MiB token response is refused unparsed (response_too_large), with no panic, declared or not', async () => {
    for (const declared of [true, false]) {
      const page = await newPage();
      const seen = watch(page, origin);
      await page.route(`${env.idp.issuer}/token`, async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        const response = await route.fetch();
        const json = await response.json();
        const body = JSON.stringify({ ...json, padding: 'x'.repeat(5 * 1024 * 1024) });
        const headers = { ...response.headers(), 'access-control-allow-origin': origin };
        // Without a length the bound holds while the stream is read.
        if (!declared) headers['transfer-encoding'] = 'chunked';
        delete headers['content-length'];
        return route.fulfill({ status: 200, headers, body });
      });
      await startLogin(page);
      await signInAtProvider(page, env.idp.issuer);
      const r = await settled(page);
      assert.equal(r.error, 'response_too_large', r.text);
      assert.match(r.text, /more than 1024 KiB/);
      assert.deepEqual(seen.errors.filter((e) => /panic|unreachable|RuntimeError/i.test(e)), []);
      // The app is still alive: the configuration can be used again.
      assert.equal(await page.getByRole('button', { name: 'Sign in' }).isEnabled(), true);
      await page.context().close();
    }
  });

  test('the user cancels at the provider: idp_error with the provider description, as text', async () => {
    const page = await newPage();
    await startLogin(page);
    await page.waitForURL((u) => u.href.startsWith(`${env.idp.issuer}/interaction/`), { timeout: 15000 });
    await page.goto(`${page.url()}/abort`);
    const r = await settled(page);
    assert.equal(r.error, 'idp_error', r.text);
    assert.match(r.text, /access_denied/);
    assert.ok(await page.locator('li.step[data-step=callback] li.check.pass', { hasText: 'RFC 9207' }).count(), 'iss was checked before the error was believed');
  });

  test('a login that took longer than the transaction lifetime: transaction_expired', async () => {
    const page = await newPage();
    await page.clock.install();
    await startLogin(page);
    // Eleven minutes pass at the provider (the transaction lives ten).
    await page.clock.fastForward('11:00');
    await signInAtProvider(page, env.idp.issuer);
    const r = await settled(page);
    assert.equal(r.error, 'transaction_expired', r.text);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  });

  test("a static host's HTML 404 as issuer: discovery_invalid, and it says so", async () => {
    const page = await newPage();
    await page.goto(`${origin}/?issuer=${encodeURIComponent(`${origin}/no-provider-here`)}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const r = await settled(page);
    assert.equal(r.error, 'discovery_invalid', r.text);
    assert.match(r.text, /HTML page titled .404 Not Found./);
  });
});
