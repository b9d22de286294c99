// End to end: Authorization Code with PKCE against the bundled provider, in headless Chromium,
// on the release build served as static files.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditNoTokens, environment, outcome, rewriteProviderAnswer, settled, signInAtProvider, watch, openConfig } from './harness.mjs';

const APP_PORT = 18080;
const IDP_PORT = 19000;
const appOrigins = [`http://127.0.0.1:${APP_PORT}`, `http://localhost:${APP_PORT}`];

// The token endpoint allows CORS for 127.0.0.1 only, so the app opened at localhost shows the
// refused-CORS path.
const env = environment({
  appPort: APP_PORT,
  idpPort: IDP_PORT,
  extraOrigins: [appOrigins[1]],
  corsOrigins: [appOrigins[0]],
  before,
  after,
});

/** The ID token the provider issued, once the watcher has read the token response. */
async function issuedIdToken(page, issued) {
  for (let i = 0; i < 50 && !issued.tokens.some((t) => t.split('.').length === 3); i += 1) await page.waitForTimeout(100);
  return issued.tokens.find((t) => t.split('.').length === 3);
}

function appUrl(params = {}, origin = appOrigins[0]) {
  const q = new URLSearchParams({ issuer: env.idp.issuer, client_id: 'flowlab-demo', ...params });
  return `${origin}/?${q}`;
}

async function signIn(page, params, login = 'alice') {
  await page.goto(appUrl(params));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signInAtProvider(page, env.idp.issuer, login);
  return settled(page);
}

describe('Authorization Code with PKCE', () => {
  test('a full login: claims verified, userinfo called, no token stored anywhere', async () => {
    const page = await (await env.browser.newContext()).newPage();
    const seen = watch(page, appOrigins[0]);
    const before = env.app.requests().length;
    const result = await signIn(page, { scope: 'openid profile email' });
    assert.equal(result.status, 'signed-in', result.text);

    const claims = await page.getByTestId('id-token-claims').innerText();
    assert.match(claims, /sub\s+alice/);
    assert.match(claims, /email\s+alice@example\.test/);
    assert.match(claims, /aud\s+flowlab-demo/);
    const api = await page.getByTestId('api-response').innerText();
    assert.equal(JSON.parse(api).sub, 'alice');

    // Every step is shown, and every check of the ID token passed.
    const ids = await page.locator('li.step').evaluateAll((els) => els.map((e) => e.dataset.step));
    assert.deepEqual(ids, ['discovery', 'prepare', 'authorize', 'user-login', 'callback', 'token', 'jwks', 'id-token', 'api']);
    const idStep = page.locator('li.step[data-step=id-token]');
    for (const name of ['signature', 'iss', 'aud', 'exp', 'iat', 'nonce']) {
      await assert.doesNotReject(idStep.locator('li.check.pass', { hasText: name }).first().waitFor({ timeout: 1000 }), name);
    }
    assert.equal(await page.locator('li.check.fail').count(), 0);
    assert.ok(await page.locator('li.step[data-step=callback] li.check.pass', { hasText: 'RFC 9207' }).count());

    // The sequence diagram: one arrow per step, in order; front and back channel told apart.
    const arrows = await page.locator('svg[data-testid=sequence-diagram] .arrow').evaluateAll((els) => els.map((e) => [e.dataset.step, e.getAttribute('class')]));
    assert.deepEqual(arrows.map(([id]) => id), ids);
    assert.match(arrows.find(([id]) => id === 'authorize')[1], /\bfront\b/);
    assert.match(arrows.find(([id]) => id === 'token')[1], /\bback\b/);
    // An arrow opens its panel.
    await page.locator('svg[data-testid=sequence-diagram] .arrow[data-step=token]').click();
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'step-token');

    // Tokens and the code are masked in the panels until revealed.
    const panelText = await page.locator('.steps').innerText();
    assert.equal(seen.tokens.length >= 2, true, 'the provider issued tokens');
    for (const t of seen.tokens) assert.ok(!panelText.includes(t), 'a token is visible unmasked');
    assert.ok(!(await page.locator('.steps').innerHTML()).includes(seen.tokens[0]), 'no unmasked token in the markup');
    // Copy: the block as shown, masked unless revealed.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: appOrigins[0] });
    await page.locator('li.step[data-step=token] .http').nth(1).getByRole('button', { name: 'Copy' }).click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(copied, /^HTTP 200/);
    assert.match(copied, /masked/);
    for (const t of seen.tokens) assert.ok(!copied.includes(t), 'a token reached the clipboard unmasked');
    // Revealing is a deliberate click, per panel, and can be undone.
    const tokenStep = page.locator('li.step[data-step=token]');
    await tokenStep.locator('label.reveal input').check();
    await page.waitForFunction((t) => document.querySelector('li.step[data-step=token]').innerText.includes(t), seen.tokens[0]);
    assert.ok(!(await page.locator('li.step[data-step=jwks]').innerText()).includes('Reveal'), 'a step without secrets has no reveal switch');
    await tokenStep.locator('label.reveal input').uncheck();
    await page.waitForFunction((t) => !document.querySelector('li.step[data-step=token]').innerText.includes(t), seen.tokens[0]);

    // The export: every step, masked by default; secrets only when asked for.
    await page.getByTestId('export').click();
    const transcript = await page.getByTestId('transcript').innerText();
    for (const [n, title] of [[1, 'Discover the provider'], [6, 'Exchange the code for tokens'], [9, 'Call the API: userinfo']]) {
      assert.ok(transcript.includes(`## ${n}. ${title}`), `${title} in the transcript`);
    }
    assert.match(transcript, /curl -sS -X POST 'http:\/\/127\.0\.0\.1:19000\/token'/);
    for (const t of seen.tokens) assert.ok(!transcript.includes(t), 'an unredacted token in the default export');
    await page.locator('details.export input[type=checkbox]').check();
    await page.waitForFunction((t) => document.querySelector('[data-testid=transcript]').innerText.includes(t), seen.tokens[0]);
    await page.locator('details.export input[type=checkbox]').uncheck();

    // The address bar no longer carries the code.
    assert.ok(!page.url().includes('code='), page.url());
    const audit = await auditNoTokens(page, page.context(), seen.tokens, seen.navigations, env.app.requests().slice(before));
    assert.deepEqual(audit.found, []);
    assert.equal(audit.state.session, '', 'the login transaction was deleted');
    assert.ok(!env.app.requests().slice(before).some((r) => r.startsWith('POST')), 'nothing was posted to the static host');
    assert.deepEqual(seen.errors, []);
    await page.close();
  });

  test('ES256-signed ID tokens verify through WebCrypto ECDSA', async () => {
    const page = await (await env.browser.newContext()).newPage();
    const result = await signIn(page, { client_id: 'flowlab-demo-es256' });
    assert.equal(result.status, 'signed-in', result.text);
    await page.locator('li.step[data-step=id-token] li.check.pass', { hasText: 'ES256' }).first().waitFor({ timeout: 2000 });
    await page.close();
  });

  test('a tampered state ends in state_mismatch with no call to the token endpoint', async () => {
    const page = await (await env.browser.newContext()).newPage();
    const seen = watch(page, appOrigins[0]);
    // Rewrite the provider's redirect back to the app: same code, another state (a forged answer).
    let tampered = false;
    await rewriteProviderAnswer(page, env.idp.issuer, ({ location }) => {
      if (!location?.includes('/callback.html?')) return undefined;
      const u = new URL(location);
      u.searchParams.set('state', 'attacker-chosen-state-value');
      tampered = true;
      return { location: u.toString() };
    });
    await page.goto(appUrl());
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signInAtProvider(page, env.idp.issuer);
    const result = await settled(page);
    assert.ok(tampered, 'the redirect was rewritten');
    assert.equal(result.status, 'error');
    assert.equal(result.error, 'state_mismatch');
    assert.match(result.text, /state/);
    assert.deepEqual(seen.tokenRequests, []);
    assert.ok(!page.url().includes('code='), 'the URL was cleaned');
    // The panels from before the redirect are still shown, and the callback panel says why.
    await page.locator('li.step[data-step=callback] li.check.fail').first().waitFor({ timeout: 2000 });
    assert.ok(await page.locator('li.step[data-step=discovery]').count());
    // Nothing pending remains; the app is usable for the next try.
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    assert.equal(await page.getByRole('button', { name: 'Sign in' }).isEnabled(), true);
    await page.close();
  });

  test('a replayed callback finds no transaction and exchanges nothing', async () => {
    const page = await (await env.browser.newContext()).newPage();
    let callback;
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame() && f.url().includes('/callback.html?')) callback = f.url();
    });
    const first = await signIn(page, {});
    assert.equal(first.status, 'signed-in', first.text);
    assert.ok(callback);
    const seen = watch(page, appOrigins[0]);
    await page.goto(callback);
    const result = await settled(page);
    assert.equal(result.error, 'no_transaction');
    assert.deepEqual(seen.tokenRequests, []);
    await page.close();
  });

  test('the provider refusing CORS for this origin is named, with the origin to allow', async () => {
    const page = await (await env.browser.newContext()).newPage();
    await page.goto(appUrl({ redirect_uri: `${appOrigins[1]}/callback.html` }, appOrigins[1]));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signInAtProvider(page, env.idp.issuer);
    const result = await settled(page);
    assert.equal(result.status, 'error');
    assert.equal(result.error, 'cors', result.text);
    assert.ok(result.text.includes(appOrigins[1]), result.text);
    await page.close();
  });

  test('bad providers give clear errors and the app stays usable', async () => {
    const page = await (await env.browser.newContext()).newPage();
    const seen = watch(page, appOrigins[0]);
    // Nothing listens on port 9 of loopback.
    await page.goto(appUrl({ issuer: 'http://127.0.0.1:9' }));
    await page.getByRole('button', { name: 'Sign in' }).click();
    let r = await settled(page);
    assert.equal(r.error, 'network', r.text);
    // The static host answers 404 text, not a discovery document.
    await openConfig(page);
    await page.fill('#issuer', `${appOrigins[0]}/not-a-provider`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    r = await settled(page);
    assert.equal(r.error, 'discovery_invalid', r.text);
    // A trailing slash is another issuer (Discovery 4.3).
    await openConfig(page);
    await page.fill('#issuer', `${env.idp.issuer}/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    r = await settled(page);
    assert.equal(r.error, 'issuer_mismatch', r.text);
    // Plain http to a non-loopback host is refused before any request.
    await openConfig(page);
    await page.fill('#issuer', 'http://provider.example');
    await page.getByRole('button', { name: 'Sign in' }).click();
    r = await settled(page);
    assert.equal(r.error, 'insecure_endpoint', r.text);
    // A callback with no login waiting.
    await page.goto(`${appOrigins[0]}/callback.html?code=abc&state=nothing-pending`);
    r = await settled(page);
    assert.equal(r.error, 'no_transaction', r.text);
    assert.deepEqual(seen.errors.filter((e) => /panic|unreachable|RuntimeError/i.test(e)), []);
    await page.close();
  });

  test('the provider card names the origin and header to allow where CORS refuses this page', async () => {
    const page = await (await env.browser.newContext()).newPage();
    // Opened at localhost, which the provider does not allow (its CORS list has 127.0.0.1 only).
    await page.goto(appUrl({ flow: 'code' }, appOrigins[1]));
    await page.getByTestId('discover').click();
    await page.waitForFunction(() => document.querySelector('li.step[data-step=jwks]')?.dataset.status);
    const cors = page.locator('li.step[data-step=cors-probe] li.check.fail');
    assert.ok((await cors.count()) >= 2, (await page.locator('li.step[data-step=cors-probe]').innerText()) + (await page.locator('li.step[data-step=discovery]').innerText()));
    assert.match(await cors.first().innerText(), new RegExp(`token_endpoint[\\s\\S]*Access-Control-Allow-Origin: ${appOrigins[1]}`));
    assert.match(await cors.first().innerText(), /Access-Control-Allow-Headers: Authorization/);
    assert.match(await outcome(page).innerText(), /finding\(s\) to fix/);
    assert.equal(await outcome(page).getAttribute('data-status'), 'idle');
    await page.close();
  });

  test('sign out revokes and forgets the tokens and ends the provider session', async () => {
    const page = await (await env.browser.newContext()).newPage();
    const issued = watch(page, appOrigins[0]);
    const r = await signIn(page, {});
    assert.equal(r.status, 'signed-in', r.text);
    await issuedIdToken(page, issued);
    const accessToken = issued.tokens[0];
    const userinfo = (token) => fetch(`${env.idp.issuer}/me`, { headers: { authorization: `Bearer ${token}` } }).then((x) => x.status);
    assert.equal(await userinfo(accessToken), 200);
    const seen = watch(page, appOrigins[0]);
    const idToken = await issuedIdToken(page, issued);
    assert.ok(idToken, 'the sign-in issued an ID token');
    const logout = page.waitForRequest((q) => q.url().startsWith(`${env.idp.issuer}/session/end`));
    await page.getByRole('button', { name: 'Sign out' }).click();
    // The default: a token-free GET (client_id, return address, state); no token anywhere.
    const request = await logout;
    assert.equal(request.method(), 'GET');
    const query = new URL(request.url()).searchParams;
    assert.deepEqual([...query.keys()].sort(), ['client_id', 'post_logout_redirect_uri', 'state']);
    assert.equal(query.get('client_id'), 'flowlab-demo');
    assert.equal(query.get('post_logout_redirect_uri'), `${appOrigins[0]}/`);
    await page.getByRole('button', { name: 'Yes, sign me out' }).waitFor();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL((u) => u.href.startsWith(appOrigins[0]), { timeout: 10000, waitUntil: 'commit' });
    await outcome(page).waitFor();
    assert.equal(await outcome(page).getAttribute('data-status'), 'idle');
    assert.match(await outcome(page).innerText(), /Signed out/);
    // The tokens were revoked (RFC 7009) before the browser left: the provider refuses them now.
    assert.match(await page.locator('li.step[data-step=logout-return] li.check.pass', { hasText: 'revoked' }).innerText(), /access_token/);
    assert.equal(await userinfo(accessToken), 401);
    // The configuration survived the round trip, the URL is clean, nothing is left stored.
    assert.equal(await page.inputValue('#issuer'), env.idp.issuer);
    assert.ok(!page.url().includes('state='), page.url());
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    assert.ok(seen.navigations.every((u) => !u.includes('id_token_hint') && !u.includes(idToken)));
    // The provider session is gone: signing in again asks for the login page.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.href.startsWith(`${env.idp.issuer}/interaction/`), { timeout: 10000, waitUntil: 'commit' });
    assert.equal(await page.locator('input[name=login]').count(), 1);
    await page.close();
  });

  test('sign out by explicit choice: id_token_hint in a GET, labelled with its cost', { timeout: 60000 }, async () => {
    // get-hint: the hint in the URL, as some providers demand; the provider takes it.
    const context = await env.browser.newContext();
    const page = await context.newPage();
    const issued = watch(page, appOrigins[0]);
    const r = await signIn(page, { logout: 'get-hint' });
    assert.equal(r.status, 'signed-in', r.text);
    const idToken = await issuedIdToken(page, issued);
    const logout = page.waitForRequest((q) => q.url().startsWith(`${env.idp.issuer}/session/end`));
    await page.getByRole('button', { name: 'Sign out' }).click();
    const request = await logout;
    assert.equal(request.method(), 'GET');
    assert.equal(new URL(request.url()).searchParams.get('id_token_hint'), idToken);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL((u) => u.href.startsWith(appOrigins[0]), { timeout: 10000, waitUntil: 'commit' });
    await outcome(page).waitFor();
    assert.match(await outcome(page).innerText(), /Signed out/);
    await context.close();
  });

  test('sign out by explicit choice: id_token_hint in a POSTed form', { timeout: 60000 }, async () => {
    // post-hint: the hint in a form body, in no URL. The bundled provider runs as its users run
    // it, and oidc-provider takes no POST here unless its cookies are SameSite=None: only the
    // request is checked.
    const context = await env.browser.newContext();
    const page = await context.newPage();
    const issued = watch(page, appOrigins[0]);
    const r = await signIn(page, { logout: 'post-hint' });
    assert.equal(r.status, 'signed-in', r.text);
    const idToken = await issuedIdToken(page, issued);
    const logout = page.waitForRequest((q) => q.url().startsWith(`${env.idp.issuer}/session/end`));
    await page.getByRole('button', { name: 'Sign out' }).click();
    const request = await logout;
    assert.equal(request.method(), 'POST');
    assert.equal(request.url(), `${env.idp.issuer}/session/end`);
    const form = new URLSearchParams(request.postData());
    assert.equal(form.get('id_token_hint'), idToken);
    assert.equal(form.get('client_id'), 'flowlab-demo');
    await context.close();
  });
});
