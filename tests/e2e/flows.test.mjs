// End to end: the flows beyond PKCE and implicit, against the bundled provider: the code flow
// with a client secret (basic and post), client credentials with the demo API, the password
// grant, hybrid (code id_token), and private_key_jwt with a key made in the browser and registered
// by RFC 7591. Secrets, passwords, assertions and tokens are audited afterwards.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import jsQR from 'jsqr';
import { auditNoTokens, environment, outcome, settled, signInAtProvider, watch, openConfig } from './harness.mjs';

const APP_PORT = 18093;
const IDP_PORT = 19013;
const origin = `http://127.0.0.1:${APP_PORT}`;
const env = environment({ appPort: APP_PORT, idpPort: IDP_PORT, before, after });
const SECRET = 'flowlab-demo-secret';

async function open(params) {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const seen = watch(page, origin);
  const q = new URLSearchParams({ issuer: env.idp.issuer, ...params });
  await page.goto(`${origin}/?${q}`);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.waitForFunction(() => !document.querySelector('[data-testid=sign-in]').disabled);
  return { context, page, seen };
}

const stepIds = (page) => page.locator('li.step').evaluateAll((els) => els.map((e) => e.dataset.step));
const checkClass = (page, step, name) =>
  page.locator(`li.step[data-step=${step}] li.check`).filter({ has: page.locator('strong', { hasText: new RegExp(`^${name}$`) }) }).first().getAttribute('class');

/** Signs in through the popup (the secret stays in this page's memory). */
async function popupSignIn(page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Sign in' }).click()]);
  await signInAtProvider(popup, env.idp.issuer);
  return settled(page);
}

describe('authorization code with a client secret', () => {
  for (const [clientId, method] of [
    ['flowlab-confidential', 'client_secret_basic'],
    ['flowlab-confidential-post', 'client_secret_post'],
  ]) {
    test(`${method}: the secret authenticates the exchange, is masked, and is kept nowhere`, async () => {
      const { context, page, seen } = await open({ flow: 'code', client_id: clientId, token_endpoint_auth_method: method });
      assert.equal(await page.inputValue('#window'), 'popup');
      await page.getByTestId('client-secret').fill(SECRET);
      assert.ok(!(await page.inputValue('#share')).includes(SECRET), 'the secret is in the shareable link');
      const r = await popupSignIn(page);
      assert.equal(r.status, 'signed-in', r.text);
      const token = await page.locator('li.step[data-step=token]').innerText();
      if (method === 'client_secret_basic') assert.match(token, /Authorization: Basic •+\[masked/);
      else assert.match(token, /client_secret=•+\[masked/);
      assert.ok(!token.includes(SECRET) && !(await page.content()).includes(Buffer.from(`${clientId}:${SECRET}`).toString('base64')));
      assert.match(await page.locator('li.step[data-step=token] .explain').innerText(), /learning only/);
      const { found } = await auditNoTokens(page, context, [SECRET, ...seen.tokens], seen.navigations, env.app.requests());
      assert.deepEqual(found, []);
      await context.close();
    });
  }

  test('a wrong secret is refused by the provider; a redirect window is refused by the app', async () => {
    const { context, page } = await open({ flow: 'code', client_id: 'flowlab-confidential' });
    await page.getByTestId('client-secret').fill('not-the-secret');
    const r = await popupSignIn(page);
    assert.equal(r.error, 'idp_error', r.text);
    assert.match(r.text, /invalid_client/);
    await openConfig(page);
    await page.selectOption('#window', 'redirect');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const again = await settled(page);
    assert.equal(again.error, 'invalid_config', again.text);
    assert.match(again.text, /popup/);
    await context.close();
  });
});

describe('client credentials', () => {
  test('a token for the client itself, then the demo API', async () => {
    const api = `${env.idp.issuer}/api/hello`;
    const { context, page, seen } = await open({ flow: 'client-credentials', client_id: 'flowlab-m2m', scope: 'api:read', api_url: api });
    assert.equal(await page.locator('#redirect_uri').count(), 0, 'no redirect URI without a redirect');
    await page.getByTestId('client-secret').fill('flowlab-m2m-secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const r = await settled(page);
    assert.equal(r.status, 'signed-in', r.text);
    assert.deepEqual(await stepIds(page), ['discovery', 'token', 'api']);
    assert.equal(JSON.parse(await page.getByTestId('api-response').innerText()).client_id, 'flowlab-m2m');
    assert.equal(await page.getByTestId('id-token-claims').count(), 0);
    const { found } = await auditNoTokens(page, context, ['flowlab-m2m-secret', ...seen.tokens], seen.navigations, env.app.requests());
    assert.deepEqual(found, []);
    await context.close();
  });

  test('a client without the grant, and a missing secret, are refused with the cause', async () => {
    const { context, page } = await open({ flow: 'client-credentials', client_id: 'flowlab-confidential' });
    await page.getByRole('button', { name: 'Sign in' }).click();
    let r = await settled(page);
    assert.equal(r.error, 'invalid_config', r.text);
    assert.match(r.text, /client secret/);
    await openConfig(page);
    await page.getByTestId('client-secret').fill(SECRET);
    await page.getByRole('button', { name: 'Sign in' }).click();
    r = await settled(page);
    assert.equal(r.error, 'idp_error', r.text);
    assert.match(r.text, /grant type is not allowed/);
    await context.close();
  });
});

describe('private_key_jwt', () => {
  /** Waits for the tab's public key, then registers a client with it; returns its JWK and id. */
  async function registerKey(page) {
    const jwkBox = page.getByTestId('client-jwk');
    await page.waitForFunction(() => document.querySelector('[data-testid=client-jwk]')?.value.includes('"kid"'));
    const jwk = JSON.parse(await jwkBox.inputValue());
    await page.getByRole('button', { name: 'Register a client with this key' }).click();
    await page.waitForFunction(() => {
      const o = document.querySelector('[data-testid=outcome]');
      return o.dataset.status === 'error' || o.textContent.includes('Registered client');
    });
    const text = await outcome(page).innerText();
    assert.equal(await outcome(page).getAttribute('data-status'), 'idle', text);
    assert.deepEqual(await stepIds(page), ['discovery', 'register']);
    assert.match(await checkClass(page, 'register', 'client registered'), /\bpass\b/);
    const clientId = await page.inputValue('#client_id');
    assert.notEqual(clientId, 'flowlab-demo');
    return { jwk, clientId };
  }

  /** The client assertions the page sent to the token endpoint. */
  function assertions(page) {
    const sent = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/token' && r.method() === 'POST') {
        const body = new URLSearchParams(r.postData() || '');
        sent.push({ type: body.get('client_assertion_type'), jwt: body.get('client_assertion'), secret: body.get('client_secret') });
      }
    });
    return sent;
  }

  /** Checks an assertion as the provider would: ES256 over the registered public key, claims. */
  function checkAssertion(jwt, jwk, clientId) {
    const [h, c, sig] = jwt.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url'));
    const claims = JSON.parse(Buffer.from(c, 'base64url'));
    assert.deepEqual([header.alg, header.kid], ['ES256', jwk.kid]);
    assert.deepEqual([claims.iss, claims.sub, claims.aud], [clientId, clientId, env.idp.issuer]);
    assert.ok(claims.exp - claims.iat === 60 && claims.jti.length >= 16, JSON.stringify(claims));
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    assert.ok(verify('sha256', Buffer.from(`${h}.${c}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url')));
    return claims;
  }

  test('client credentials: a key made here, registered, signs a fresh assertion per request', async () => {
    const { context, page, seen } = await open({ flow: 'client-credentials', token_endpoint_auth_method: 'private_key_jwt', scope: 'api:read', api_url: `${env.idp.issuer}/api/hello` });
    const sent = assertions(page);
    assert.equal(await page.getByTestId('client-secret').count(), 0, 'no secret field for a key');
    const { jwk, clientId } = await registerKey(page);
    assert.deepEqual([jwk.kty, jwk.crv, jwk.alg, jwk.use, 'd' in jwk], ['EC', 'P-256', 'ES256', 'sig', false]);
    for (let round = 0; round < 2; round += 1) {
      await page.getByRole('button', { name: 'Sign in' }).click();
      const r = await settled(page);
      assert.equal(r.status, 'signed-in', r.text);
    }
    assert.deepEqual(await stepIds(page), ['discovery', 'token', 'api']);
    assert.equal(JSON.parse(await page.getByTestId('api-response').innerText()).client_id, clientId);
    assert.equal(sent.length, 2);
    const jtis = sent.map((s) => {
      assert.equal(s.type, 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      assert.equal(s.secret, null);
      return checkAssertion(s.jwt, jwk, clientId).jti;
    });
    assert.notEqual(jtis[0], jtis[1], 'an assertion is made for one request');
    const token = await page.locator('li.step[data-step=token]').innerText();
    assert.match(token, /client_assertion=•+\[masked/);
    assert.match(await checkClass(page, 'token', 'client assertion signed'), /\bpass\b/);
    assert.match(token, new RegExp(`ES256 by this tab's key ${jwk.kid}`));
    assert.ok(!(await page.content()).includes(sent[1].jwt), 'the assertion is shown unmasked');
    assert.ok(!(await page.inputValue('#share')).includes(jwk.x), 'the key is in the shareable link');
    const { found } = await auditNoTokens(page, context, [...sent.map((s) => s.jwt), jwk.x, ...seen.tokens], seen.navigations, env.app.requests());
    assert.deepEqual(found, []);
    // Another tab has another key: the provider refuses its assertion for this client.
    const other = await open({ flow: 'client-credentials', token_endpoint_auth_method: 'private_key_jwt', client_id: clientId, scope: 'api:read' });
    await other.page.waitForFunction(() => document.querySelector('[data-testid=client-jwk]')?.value.includes('"kid"'));
    assert.notEqual(JSON.parse(await other.page.getByTestId('client-jwk').inputValue()).kid, jwk.kid);
    await other.page.getByRole('button', { name: 'Sign in' }).click();
    const refused = await settled(other.page);
    assert.equal(refused.error, 'idp_error', refused.text);
    assert.match(refused.text, /invalid_client/);
    await other.context.close();
    await context.close();
  });

  test('a provider without registration, and a registration it refuses, are named as the cause', async () => {
    const { context, page } = await open({ flow: 'client-credentials', token_endpoint_auth_method: 'private_key_jwt', scope: 'api:read not-a-scope' });
    await page.waitForFunction(() => document.querySelector('[data-testid=client-jwk]')?.value.includes('"kid"'));
    const discovery = `${env.idp.issuer}/.well-known/openid-configuration`;
    await page.route(discovery, async (route) => {
      const response = await route.fetch();
      const { registration_endpoint: _, ...rest } = await response.json();
      await route.fulfill({ response, body: JSON.stringify(rest) });
    });
    const register = page.getByRole('button', { name: 'Register a client with this key' });
    await register.click();
    let r = await settled(page);
    assert.equal(r.error, 'invalid_config', r.text);
    assert.match(r.text, /registration_endpoint/);
    await page.unroute(discovery);
    // The provider's own refusal (an unknown scope), with its words.
    await register.click();
    r = await settled(page);
    assert.equal(r.error, 'idp_error', r.text);
    assert.match(r.text, /invalid_client_metadata/);
    assert.match(await checkClass(page, 'register', 'client registered'), /\bfail\b/);
    await context.close();
  });

  test('authorization code: the key stays in this page, so the login uses the popup', async () => {
    const { context, page, seen } = await open({ flow: 'code', token_endpoint_auth_method: 'private_key_jwt' });
    assert.equal(await page.inputValue('#window'), 'popup');
    const sent = assertions(page);
    const { jwk, clientId } = await registerKey(page);
    const r = await popupSignIn(page);
    assert.equal(r.status, 'signed-in', r.text);
    assert.match(await page.getByTestId('id-token-claims').innerText(), /sub\s+alice/);
    assert.equal(sent.length, 1);
    checkAssertion(sent[0].jwt, jwk, clientId);
    const { found } = await auditNoTokens(page, context, [sent[0].jwt, ...seen.tokens], seen.navigations, env.app.requests());
    assert.deepEqual(found, []);
    await context.close();
  });
});

describe('resource owner password', () => {
  test('labelled not recommended; a right password signs in, a wrong one is refused', async () => {
    const { context, page, seen } = await open({ flow: 'password', client_id: 'flowlab-demo' });
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password', { exact: true }).fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    let r = await settled(page);
    assert.equal(r.error, 'idp_error', r.text);
    assert.match(r.text, /invalid_grant/);
    await openConfig(page);
    await page.getByLabel('Password', { exact: true }).fill('looking-glass');
    await page.getByRole('button', { name: 'Sign in' }).click();
    r = await settled(page);
    assert.equal(r.status, 'signed-in', r.text);
    assert.match(await page.getByTestId('id-token-claims').innerText(), /sub\s+alice/);
    assert.match(await page.locator('li.step[data-step=token] .explain').innerText(), /^NOT RECOMMENDED/);
    assert.match(await checkClass(page, 'id-token', 'signature'), /\bpass\b/);
    const { found } = await auditNoTokens(page, context, ['looking-glass', ...seen.tokens], seen.navigations, env.app.requests());
    assert.deepEqual(found, []);
    assert.ok(!(await page.inputValue('#share')).includes('looking-glass'));
    await context.close();
  });
});

describe('hybrid', () => {
  for (const mode of ['form_post', 'fragment']) {
    test(`code id_token with ${mode}: c_hash binds the code, both ID tokens are about one session`, async () => {
      const { context, page, seen } = await open({ client_id: 'flowlab-demo', response_type: 'code id_token', response_mode: mode });
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
      await page.getByRole('button', { name: 'Sign in' }).click();
      await signInAtProvider(page, env.idp.issuer);
      const r = await settled(page);
      assert.equal(r.status, 'signed-in', r.text);
      const ids = await stepIds(page);
      assert.ok(ids.indexOf('front-id-token') < ids.indexOf('token') && ids.indexOf('token') < ids.indexOf('id-token'), ids.join(' '));
      assert.match(await checkClass(page, 'front-id-token', 'c_hash'), /\bpass\b/);
      // OIDC Core 3.3.3.6: iss and sub identical to the front channel's ID token (other claims SHOULD match).
      for (const name of ['same iss as the front channel', 'same sub as the front channel', 'other claims agree']) {
        assert.match(await checkClass(page, 'id-token', name), /\bpass\b/, name);
      }
      const { found } = await auditNoTokens(page, context, seen.tokens, seen.navigations, env.app.requests());
      assert.deepEqual(found, []);
      await context.close();
    });
  }
});

describe('which flow should I use?', () => {
  test('the answers lead to a flow, and its button opens it configured', async () => {
    const { context, page } = await open({ client_id: 'flowlab-demo' });
    await page.getByTestId('which-flow').click();
    const visible = () => page.locator('.g-answer').evaluateAll((els) => els.filter((e) => e.offsetParent !== null).map((e) => e.className));
    assert.deepEqual(await visible(), []);
    await page.getByLabel('No: a program calls an API for itself').check();
    assert.deepEqual(await visible(), ['g-answer g-m2m']);
    await page.getByRole('button', { name: 'Open Client Credentials' }).click();
    await page.waitForFunction(() => document.querySelector('#flow')?.value === 'client-credentials');
    assert.equal(await page.getByTestId('client-secret').count(), 1);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'flow');
    assert.match(await page.getByTestId('outcome').innerText(), /configured above/);
    await page.getByLabel('Yes: a user signs in').check();
    await page.getByLabel('In the browser (a single-page app)').check();
    assert.deepEqual(await visible(), ['g-answer g-spa']);
    await page.getByRole('button', { name: 'Open Authorization Code with PKCE' }).first().click();
    await page.waitForFunction(() => document.querySelector('#flow')?.value === 'pkce');
    assert.equal(await page.getByTestId('client-secret').count(), 0);
    await page.getByLabel('On a device without a browser or keyboard (a TV, a CLI)').check();
    assert.deepEqual(await visible(), ['g-answer g-device']);
    await page.getByRole('button', { name: 'Open Device Authorization' }).click();
    await page.waitForFunction(() => document.querySelector('#flow')?.value === 'device');
    await context.close();
  });
});

describe('device authorization', () => {
  /** Starts the device flow; the provider's interval is shortened to 1 s for the test. */
  async function startDevice(page) {
    await page.route(`${env.idp.issuer}/device/auth`, async (route) => {
      const response = await route.fetch();
      const body = { ...(await response.json()), interval: 1 };
      await route.fulfill({ response, body: JSON.stringify(body) });
    });
    await page.getByRole('button', { name: 'Sign in' }).click();
    const code = page.getByTestId('user-code');
    await code.waitFor({ timeout: 10000 });
    const uri = await page.getByTestId('verification-uri').getAttribute('href');
    const complete = await page.locator('li.step[data-step=user-code] a').nth(1).getAttribute('href');
    return { userCode: await code.innerText(), uri, complete };
  }

  /** The user, on another device: opens the address with the code, then continues or aborts. */
  async function otherDevice(complete, answer) {
    const context = await env.browser.newContext();
    const phone = await context.newPage();
    await phone.goto(complete);
    await phone.getByRole('button', { name: answer }).click();
    if (answer === 'Continue') {
      await signInAtProvider(phone, env.idp.issuer, 'bob');
      await phone.getByText('Sign-in Success').waitFor({ timeout: 10000 });
    }
    await context.close();
  }

  test('approved on another device: pending polls, then tokens and userinfo', async () => {
    const { context, page, seen } = await open({ flow: 'device', client_id: 'flowlab-device' });
    const { userCode, uri, complete } = await startDevice(page);
    assert.match(userCode, /^[A-Z]{4}-[A-Z]{4}$/);
    assert.equal(uri, `${env.idp.issuer}/device`);
    assert.ok(complete.includes(userCode));
    // The QR code decodes to the complete address (drawn on a canvas, read by jsQR).
    const image = await page.evaluate(async () => {
      const svg = document.querySelector('[data-testid=qr-code]');
      const img = new Image();
      img.src = `data:image/svg+xml;base64,${btoa(svg.outerHTML.replace("<svg", "<svg xmlns=\"http://www.w3.org/2000/svg\""))}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, img.width, img.height);
      return { width: data.width, height: data.height, pixels: Array.from(data.data) };
    });
    const decoded = jsQR(Uint8ClampedArray.from(image.pixels), image.width, image.height);
    assert.equal(decoded?.data, complete);
    assert.match(await page.getByTestId('outcome').innerText(), new RegExp(`enter ${userCode}`));
    await page.locator('li.step[data-step=poll] li.check', { hasText: 'authorization_pending' }).first().waitFor({ timeout: 10000 });
    await otherDevice(complete, 'Continue');
    const r = await settled(page);
    assert.equal(r.status, 'signed-in', r.text);
    assert.match(await page.getByTestId('id-token-claims').innerText(), /sub\s+bob/);
    assert.equal(JSON.parse(await page.getByTestId('api-response').innerText()).sub, 'bob');
    const ids = await stepIds(page);
    assert.deepEqual(ids.slice(0, 4), ['discovery', 'device-authorization', 'user-code', 'poll']);
    const { found } = await auditNoTokens(page, context, seen.tokens, seen.navigations, env.app.requests());
    assert.deepEqual(found, []);
    await context.close();
  });

  test('fine-grained updates: the polls update their own panel; another panel keeps its DOM node and a text selection', async () => {
    const { context, page } = await open({ flow: 'device', client_id: 'flowlab-device' });
    const { userCode } = await startDevice(page);
    // Mark the user-code panel's node and select the code in it, as a reader would.
    await page.evaluate(() => {
      const panel = document.querySelector('li.step[data-step=user-code]');
      panel.flowlabMark = 'kept';
      getSelection().selectAllChildren(panel.querySelector('[data-testid=user-code]'));
    });
    const polls = () => page.locator('li.step[data-step=poll] li.check').count();
    const before = await polls();
    await page.waitForFunction((n) => document.querySelectorAll('li.step[data-step=poll] li.check').length >= n + 2, before, { timeout: 10000 });
    const after = await page.evaluate(() => ({
      mark: document.querySelector('li.step[data-step=user-code]').flowlabMark,
      selected: getSelection().toString(),
    }));
    assert.deepEqual(after, { mark: 'kept', selected: userCode });
    await context.close();
  });

  test('denied on the other device: access_denied ends the polling', async () => {
    const { context, page } = await open({ flow: 'device', client_id: 'flowlab-device' });
    const { complete } = await startDevice(page);
    await otherDevice(complete, '[ Abort ]');
    const r = await settled(page);
    assert.equal(r.error, 'idp_error', r.text);
    assert.match(r.text, /denied/);
    await context.close();
  });

  test('slow_down adds 5 s to the interval; an expired code ends it', async () => {
    const { context, page } = await open({ flow: 'device', client_id: 'flowlab-device' });
    const polls = [];
    await page.route(`${env.idp.issuer}/token`, async (route) => {
      polls.push(Date.now());
      const error = polls.length === 1 ? 'slow_down' : 'expired_token';
      await route.fulfill({ status: 400, contentType: 'application/json', headers: { 'access-control-allow-origin': origin }, body: JSON.stringify({ error }) });
    });
    await startDevice(page);
    const r = await settled(page, 20000);
    assert.equal(r.error, 'idp_error', r.text);
    assert.match(r.text, /expired/);
    assert.equal(polls.length, 2);
    assert.ok(polls[1] - polls[0] >= 5500, `the second poll came ${polls[1] - polls[0]} ms after the first`);
    assert.match(await page.locator('li.step[data-step=poll]').innerText(), /slow_down, so the device now waits 6 s/);
    await context.close();
  });

  test('a provider without a device endpoint is named as the cause', async () => {
    const { context, page } = await open({ flow: 'device', client_id: 'flowlab-device' });
    await page.route(`${env.idp.issuer}/.well-known/openid-configuration`, async (route) => {
      const response = await route.fetch();
      const { device_authorization_endpoint: _, ...rest } = await response.json();
      await route.fulfill({ response, body: JSON.stringify(rest) });
    });
    await page.getByRole('button', { name: 'Sign in' }).click();
    const r = await settled(page);
    assert.equal(r.error, 'unsupported_by_provider', r.text);
    assert.match(r.text, /device_authorization_endpoint/);
    await context.close();
  });
});
