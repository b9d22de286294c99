// End to end: the JWT inspector (decode and explain any JWT; verify it by the issuer's discovery
// or a JWKS URL) and the keyboard shortcuts for the step panels.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { auditNoTokens, environment, outcome, settled, signInAtProvider, watch, openConfig } from './harness.mjs';

const APP_PORT = 18091;
const IDP_PORT = 19011;
const origin = `http://127.0.0.1:${APP_PORT}`;
const env = environment({ appPort: APP_PORT, idpPort: IDP_PORT, before, after });
let idToken;

const b64url = (s) => Buffer.from(s).toString('base64url');

async function open(extra = '') {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/?issuer=${encodeURIComponent(env.idp.issuer)}&client_id=flowlab-demo${extra}`);
  await page.getByTestId('jwt-inspector').click();
  return { page, context };
}

/** Inspects `token` with the given choices; resolves with the outcome once it is not in progress. */
async function inspect(page, token, { via = '', url = '', aud = '' } = {}) {
  await page.fill('#jwt', token);
  await page.selectOption('#jwt_via', via);
  await page.fill('#jwt_url', url);
  await page.fill('#jwt_aud', aud);
  await page.getByTestId('inspect').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=outcome]').getAttribute('data-status') !== 'in-progress');
  const o = outcome(page);
  return { status: await o.getAttribute('data-status'), error: await o.getAttribute('data-error'), text: await o.innerText() };
}

const checkStatus = (page, name) =>
  page.locator('li.step[data-step=inspect] li.check').filter({ has: page.locator('strong', { hasText: new RegExp(`^${name}$`) }) }).getAttribute('class');

/** A real ID token from the bundled provider (one login, shared by the tests). */
async function realIdToken() {
  if (idToken) return idToken;
  const page = await (await env.browser.newContext()).newPage();
  const seen = watch(page, origin);
  await page.goto(`${origin}/?issuer=${encodeURIComponent(env.idp.issuer)}&client_id=flowlab-demo`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signInAtProvider(page, env.idp.issuer);
  assert.equal((await settled(page)).status, 'signed-in');
  idToken = seen.tokens.find((t) => t.split('.').length === 3);
  assert.ok(idToken, 'the provider issued an ID token');
  await page.context().close();
  return idToken;
}

test('decode only: header and claims explained, the signature not checked, the token masked', async () => {
  await realIdToken();
  const { page, context } = await open();
  const r = await inspect(page, idToken);
  assert.equal(r.status, 'idle', r.text);
  assert.match(r.text, /not checked/);
  const panel = page.locator('li.step[data-step=inspect]');
  const text = await panel.innerText();
  assert.match(text, /kid\s+flowlab-rs256/);
  assert.match(text, /sub\s+alice/);
  assert.match(text, /Audience: the client/);
  assert.ok(!text.includes(idToken), 'the pasted token is shown unmasked');
  assert.match(await checkStatus(page, 'signature'), /\bskip\b/);
  assert.match(await checkStatus(page, 'exp'), /\bpass\b/);
  assert.deepEqual(await page.locator('li.step').evaluateAll((els) => els.map((e) => e.dataset.step)), ['inspect']);
  // The result is brought into view.
  await page.waitForFunction(() => document.activeElement?.id === 'step-inspect');
  const { found } = await auditNoTokens(page, context, [idToken], []);
  assert.deepEqual(found, []);
  await context.close();
});

test("verified by the issuer's discovery, with the audience checked", async () => {
  await realIdToken();
  const { page, context } = await open();
  const r = await inspect(page, idToken, { via: 'issuer', aud: 'flowlab-demo' });
  assert.equal(r.status, 'idle', r.text);
  assert.match(r.text, /signature verified/);
  assert.deepEqual(await page.locator('li.step').evaluateAll((els) => els.map((e) => e.dataset.step)), ['discovery', 'jwks', 'inspect']);
  for (const name of ['signature', 'signing key', 'iss', 'aud', 'exp', 'iat']) assert.match(await checkStatus(page, name), /\bpass\b/, name);
  // Another audience is refused.
  const other = await inspect(page, idToken, { via: 'issuer', aud: 'someone-else' });
  assert.equal(other.error, 'aud_mismatch', other.text);
  await context.close();
});

test("break-it alters a login's ID token, not a token pasted here", async () => {
  await realIdToken();
  const { page, context } = await open('&break_it=signature');
  const r = await inspect(page, idToken, { via: 'issuer', aud: 'flowlab-demo' });
  assert.match(r.text, /signature verified/);
  assert.match(await checkStatus(page, 'signature'), /\bpass\b/);
  assert.equal(await page.inputValue('#break_it'), 'signature', 'the choice was used up by the inspector');
  await context.close();
});

test('verified by a JWKS URL; an altered token, alg none and garbage are refused', async () => {
  await realIdToken();
  const { page, context } = await open();
  const jwks = `${env.idp.issuer}/jwks`;
  const ok = await inspect(page, idToken, { via: 'jwks', url: jwks });
  assert.equal(ok.status, 'idle', ok.text);
  assert.match(await checkStatus(page, 'iss'), /\bskip\b/);

  const [h, p, s] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  const forged = `${h}.${b64url(JSON.stringify({ ...claims, sub: 'mallory' }))}.${s}`;
  const bad = await inspect(page, forged, { via: 'jwks', url: jwks });
  assert.equal(bad.error, 'bad_signature', bad.text);
  assert.match(await page.locator('li.step[data-step=inspect]').innerText(), /sub\s+mallory/);

  const none = `${b64url('{"alg":"none"}')}.${p}.`;
  assert.equal((await inspect(page, none, { via: 'jwks', url: jwks })).error, 'unsupported_alg');
  assert.equal((await inspect(page, 'not a jwt')).error, 'malformed_jwt');
  assert.equal((await inspect(page, idToken, { via: 'jwks', url: 'http://example.com/jwks' })).error, 'insecure_endpoint');
  assert.equal((await inspect(page, idToken, { via: 'issuer', url: 'http://127.0.0.1:9' })).error, 'network');
  await context.close();
});

test('keyboard: N and P move between the step panels, N continues a paused flow', async () => {
  const page = await (await env.browser.newContext()).newPage();
  await page.goto(`${origin}/?issuer=${encodeURIComponent(env.idp.issuer)}&client_id=flowlab-demo&step_through=on`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=continue]').disabled);
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  await page.keyboard.press('n');
  // Discovery continued; the next pause is before the redirect.
  await page.waitForFunction(() => document.querySelector('li.step[data-step=authorize][data-status=pending]'));
  await page.waitForFunction(() => !document.querySelector('[data-testid=continue]').disabled);
  await page.getByRole('button', { name: 'Continue' }).click();
  await signInAtProvider(page, env.idp.issuer);
  for (let i = 0; i < 3; i += 1) {
    await page.waitForFunction(() => !document.querySelector('[data-testid=continue]').disabled, null, { timeout: 15000 });
    await page.keyboard.press('n');
  }
  assert.equal((await settled(page)).status, 'signed-in');
  const focused = () => page.evaluate(() => document.activeElement?.closest('li.step')?.dataset.step);
  await page.keyboard.press('n');
  assert.equal(await focused(), 'discovery');
  await page.keyboard.press('n');
  assert.equal(await focused(), 'prepare');
  await page.keyboard.press('p');
  assert.equal(await focused(), 'discovery');
  await page.keyboard.press('p');
  assert.equal(await focused(), 'discovery');
  // Typing in a field is left alone.
  await openConfig(page);
  await page.fill('#scope', '');
  await page.keyboard.press('n');
  assert.equal(await page.inputValue('#scope'), 'n');
  assert.equal(await focused(), undefined);
});
