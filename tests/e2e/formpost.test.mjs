// End to end: response_mode=form_post on a static host. The provider's auto-submitting form
// POSTs the answer to callback.html; the app's Service Worker takes the POST, the static server
// (which refuses POST, as static hosts do) never sees it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditNoTokens, environment, rewriteProviderAnswer, settled, signInAtProvider, watch } from './harness.mjs';

const APP_PORT = 18082;
const IDP_PORT = 19002;
const origin = `http://127.0.0.1:${APP_PORT}`;
const env = environment({ appPort: APP_PORT, idpPort: IDP_PORT, before, after });

function appUrl(extra = '') {
  return `${origin}/?issuer=${encodeURIComponent(env.idp.issuer)}&client_id=flowlab-demo&response_mode=form_post${extra}`;
}

/** Opens the app and waits until its Service Worker controls the page. */
async function openControlled(page) {
  await page.goto(appUrl());
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
}

describe('form_post through the Service Worker', () => {
  test('authorization code with form_post: signed in, and no POST reached the static host', async () => {
    const page = await (await env.browser.newContext()).newPage();
    const seen = watch(page, origin);
    let posted;
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/callback.html')) posted = r.postData();
    });
    const before = env.app.requests().length;
    await openControlled(page);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signInAtProvider(page, env.idp.issuer);
    const r = await settled(page);
    assert.equal(r.status, 'signed-in', r.text);
    assert.ok(posted && posted.includes('code='), 'the provider POSTed the code to the callback');
    const host = env.app.requests().slice(before);
    assert.ok(!host.some((q) => q.startsWith('POST')), host.join('\n'));
    assert.ok(host.some((q) => q === 'GET /callback.html'), 'the worker fetched the callback page with a GET');
    // The panels show the POST the worker caught and the hand-over.
    const ids = await page.locator('li.step').evaluateAll((els) => els.map((e) => e.dataset.step));
    assert.deepEqual(ids.slice(3, 7), ['user-login', 'callback', 'handover', 'token']);
    const caught = await page.locator('li.step[data-step=callback]').innerText();
    assert.match(caught, /POST http:\/\/127\.0\.0\.1:18082\/callback\.html/);
    assert.match(caught, /Service Worker/);
    const modeCheck = page.locator('li.step[data-step=handover] li.check.pass').filter({ has: page.locator('strong', { hasText: /^response mode$/ }) });
    await modeCheck.waitFor({ timeout: 2000 });
    // The code never travelled in a URL.
    assert.ok(seen.navigations.every((u) => !u.includes('code=')), seen.navigations.join('\n'));
    const audit = await auditNoTokens(page, page.context(), seen.tokens, seen.navigations, host);
    assert.deepEqual(audit.found, []);
    assert.deepEqual(seen.errors, []);

    // Replaying the same POST: the worker takes it, but no login is waiting for it.
    const replay = watch(page, origin);
    await page.evaluate(
      ({ body, action }) => {
        const f = document.createElement('form');
        f.method = 'post';
        f.action = action;
        for (const [k, v] of new URLSearchParams(body)) {
          const i = document.createElement('input');
          i.type = 'hidden';
          i.name = k;
          i.value = v;
          f.append(i);
        }
        document.body.append(f);
        f.submit();
      },
      { body: posted, action: `${origin}/callback.html` },
    );
    await page.waitForURL(`${origin}/`, { timeout: 10000 });
    const again = await settled(page);
    assert.equal(again.error, 'no_transaction', again.text);
    assert.deepEqual(replay.tokenRequests, []);
    assert.ok(!env.app.requests().some((q) => q.startsWith('POST')));
  });

  test('a form_post answer pushed through the query instead is refused', async () => {
    const page = await (await env.browser.newContext()).newPage();
    const seen = watch(page, origin);
    await openControlled(page);
    // Take the provider's answer (its auto-submitting form) and deliver its fields through the
    // query instead: an injected response.
    await rewriteProviderAnswer(page, env.idp.issuer, ({ html }) => {
      const fields = [...(html || '').matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)];
      if (fields.length === 0) return undefined;
      return { location: `${origin}/callback.html?${new URLSearchParams(fields.map((m) => [m[1], m[2]]))}` };
    });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signInAtProvider(page, env.idp.issuer);
    const r = await settled(page);
    assert.equal(r.error, 'response_mode_mismatch', r.text);
    assert.match(r.text, /asked for response_mode=form_post but the answer came by query/);
    assert.deepEqual(seen.tokenRequests, []);
  });

  test('an error the provider POSTs (the user cancels) is shown as text: idp_error', async () => {
    const page = await (await env.browser.newContext()).newPage();
    const before = env.app.requests().length;
    await openControlled(page);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.href.startsWith(`${env.idp.issuer}/interaction/`), { timeout: 15000 });
    await page.goto(`${page.url()}/abort`);
    const r = await settled(page);
    assert.equal(r.error, 'idp_error', r.text);
    assert.match(r.text, /access_denied/);
    assert.match(await page.locator('li.step[data-step=callback]').innerText(), /POST .*callback\.html/);
    assert.ok(!env.app.requests().slice(before).some((q) => q.startsWith('POST')));
  });

  test('without the worker in control, nothing is sent and the user keeps their place', async () => {
    const context = await env.browser.browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    const seen = watch(page, origin);
    await page.goto(appUrl());
    await page.fill('#scope', 'openid email');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const r = await settled(page);
    assert.equal(r.error, 'worker_unavailable', r.text);
    assert.match(r.text, /static host/);
    assert.ok(page.url().startsWith(origin), 'still on the app');
    assert.equal(await page.inputValue('#scope'), 'openid email', 'the configuration is kept');
    assert.ok(!seen.requests.some((q) => q.includes(env.idp.issuer)), 'not even discovery was sent');
    await context.close();
  });
});
