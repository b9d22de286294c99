// End to end: the popup window. The app stays loaded, the login transaction stays in its
// memory (nothing is written to storage), the popup relays the provider's answer to its opener
// and closes itself.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditNoTokens, environment, outcome, settled, signInAtProvider, watch } from './harness.mjs';

const APP_PORT = 18084;
const IDP_PORT = 19004;
const origin = `http://127.0.0.1:${APP_PORT}`;
const env = environment({ appPort: APP_PORT, idpPort: IDP_PORT, before, after });

/** A page whose every sessionStorage/localStorage write is recorded. */
async function recordingPage() {
  const context = await env.browser.newContext();
  await context.addInitScript(() => {
    window.__writes = [];
    for (const store of [window.sessionStorage, window.localStorage]) {
      const set = store.setItem.bind(store);
      store.setItem = (k, v) => {
        window.__writes.push(k);
        set(k, v);
      };
    }
  });
  return context.newPage();
}

async function popupLogin(page, params) {
  const q = new URLSearchParams({ issuer: env.idp.issuer, client_id: 'flowlab-demo', window: 'popup', ...params });
  await page.goto(`${origin}/?${q}`);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Sign in' }).click()]);
  return popup;
}

describe('popup window', () => {
  for (const [name, params] of [
    ['authorization code with PKCE', {}],
    ['implicit id_token with form_post', { flow: 'implicit' }],
  ]) {
    test(`${name}: the popup relays and closes, nothing is stored, the page never navigated`, async () => {
      const page = await recordingPage();
      const seen = watch(page, origin);
      const popup = await popupLogin(page, params);
      await signInAtProvider(popup, env.idp.issuer);
      if (!popup.isClosed()) {
        await popup.waitForEvent('close', { timeout: 10000 }).catch(async (e) => {
          const status = popup.isClosed() ? 'closed' : await popup.locator('[data-testid=outcome]').innerText().catch(() => popup.url());
          throw new Error(`the popup did not close: ${status}; ${e.message}`);
        });
      }
      const r = await settled(page);
      assert.equal(r.status, 'signed-in', r.text);
      assert.match(await page.getByTestId('id-token-claims').innerText(), /sub\s+alice/);
      assert.deepEqual(await page.evaluate(() => window.__writes), [], 'nothing was written to storage');
      assert.equal(seen.navigations.length, 1, `the page stayed: ${seen.navigations.join(', ')}`);
      const audit = await auditNoTokens(page, page.context(), seen.tokens, seen.navigations, env.app.requests());
      assert.deepEqual(audit.found, []);
      assert.deepEqual(seen.errors, []);
    });
  }

  test('the user closes the popup: the app waits (a closed popup and one cut off by COOP look alike), Cancel ends it: popup_closed', async () => {
    const page = await recordingPage();
    const popup = await popupLogin(page, {});
    await popup.waitForURL((u) => u.href.startsWith(`${env.idp.issuer}/interaction/`), { timeout: 10000 });
    await popup.close();
    await page.waitForFunction(() => /reports it closed/.test(document.querySelector('[data-testid=outcome]').textContent), null, { timeout: 5000 });
    assert.equal(await outcome(page).getAttribute('data-status'), 'in-progress');
    await page.getByRole('button', { name: 'Cancel' }).click();
    const r = await settled(page);
    assert.equal(r.error, 'popup_closed', r.text);
    assert.equal(await page.getByRole('button', { name: 'Sign in' }).isEnabled(), true);
  });

  test('a message from another window is ignored', async () => {
    const page = await recordingPage();
    const popup = await popupLogin(page, {});
    await popup.waitForURL((u) => u.href.startsWith(`${env.idp.issuer}/interaction/`), { timeout: 10000 });
    // A forged answer posted by the page itself (not the popup) must not be taken.
    await page.evaluate(() => window.postMessage({ type: 'flowlab-popup-answer', pairs: [['code', 'forged'], ['state', 'x']], source: 'query', url: 'x' }, location.origin));
    await page.waitForTimeout(600);
    assert.equal(await page.getByTestId('outcome').getAttribute('data-status'), 'in-progress');
    await signInAtProvider(popup, env.idp.issuer);
    const r = await settled(page);
    assert.equal(r.status, 'signed-in', r.text);
  });
});
