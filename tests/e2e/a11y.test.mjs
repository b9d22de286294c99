// Accessibility: axe-core (from npm, injected into the page) reports no violations on the main
// views: the configuration page, a signed-in page with its panels and diagram, and an error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { environment, settled, signInAtProvider } from './harness.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const APP_PORT = 18087;
const IDP_PORT = 19007;
const origin = `http://127.0.0.1:${APP_PORT}`;
const env = environment({ appPort: APP_PORT, idpPort: IDP_PORT, before, after });

/** Runs axe on the page (evaluated through the debugging protocol, so the page's CSP is untouched). */
async function audit(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join('\n  ')}`);
  });
  return result;
}

async function open(context) {
  const page = await context.newPage();
  await page.goto(`${origin}/?issuer=${encodeURIComponent(env.idp.issuer)}&client_id=flowlab-demo`);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  return page;
}

test('the configuration page, light, desktop', async () => {
  const page = await open(await env.browser.newContext());
  assert.deepEqual(await audit(page), []);
});

test('a signed-in page with every panel and the diagram, dark, phone width', async () => {
  const context = await env.browser.browser.newContext({ colorScheme: 'dark', viewport: { width: 390, height: 844 } });
  const page = await open(context);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signInAtProvider(page, env.idp.issuer);
  assert.equal((await settled(page)).status, 'signed-in');
  await page.getByTestId('export').click();
  assert.deepEqual(await audit(page), []);
  // Usable at phone width: nothing but the diagram and code blocks scrolls sideways.
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(wide, false, 'the page overflows the phone width');
  await context.close();
});

test('an error outcome, reached with the keyboard alone', async () => {
  const page = await open(await env.browser.newContext());
  await page.fill('#issuer', 'http://127.0.0.1:9');
  // Tab to the Sign in button and press Enter.
  await page.getByRole('button', { name: 'Sign in' }).focus();
  await page.keyboard.press('Enter');
  const r = await settled(page);
  assert.equal(r.error, 'network');
  assert.deepEqual(await audit(page), []);
});

test('presenter view: larger text, still accessible, kept across the login', async () => {
  const page = await open(await env.browser.newContext());
  const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  const normal = await size();
  await page.getByLabel('Presenter view').check();
  assert.ok((await size()) > normal * 1.2, 'the text grows');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signInAtProvider(page, env.idp.issuer);
  assert.equal((await settled(page)).status, 'signed-in');
  assert.ok(await page.getByLabel('Presenter view').isChecked(), 'the setting travelled with the login');
  assert.ok((await size()) > normal * 1.2);
  assert.deepEqual(await audit(page), []);
});

test('the JWT inspector with a verified token, and with a refused one', async () => {
  const page = await open(await env.browser.newContext());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signInAtProvider(page, env.idp.issuer);
  assert.equal((await settled(page)).status, 'signed-in');
  // The ID token as the page's own reveal shows it, on the session's Tokens tab.
  await page.getByRole('tab', { name: 'Tokens' }).click();
  await page.getByLabel('Reveal tokens').check();
  const idToken = (await page.locator('dl.tokens dd').nth(1).innerText()).trim();
  assert.equal(idToken.split('.').length, 3, idToken);
  await page.getByTestId('jwt-inspector').click();
  await page.fill('#jwt', idToken);
  await page.selectOption('#jwt_via', 'issuer');
  await page.getByTestId('inspect').click();
  await page.waitForFunction(() => document.querySelector('li.step[data-step=inspect]'));
  assert.deepEqual(await audit(page), []);
  const i = idToken.lastIndexOf('.') + 10;
  await page.fill('#jwt', `${idToken.slice(0, i)}${idToken[i] === 'A' ? 'B' : 'A'}${idToken.slice(i + 1)}`);
  await page.getByTestId('inspect').click();
  assert.equal((await settled(page)).error, 'bad_signature');
  assert.deepEqual(await audit(page), []);
});

test('the flow guide with an answer, and a confidential flow form', async () => {
  const page = await open(await env.browser.newContext());
  await page.getByTestId('which-flow').click();
  await page.getByLabel('Yes: a user signs in').check();
  await page.getByLabel('On a server that can keep a secret (a web app)').check();
  assert.deepEqual(await audit(page), []);
  await page.getByRole('button', { name: 'Open the code flow with a secret' }).click();
  await page.getByTestId('client-secret').waitFor();
  assert.deepEqual(await audit(page), []);
  // private_key_jwt: the public key and its buttons replace the secret.
  await page.selectOption('#token_endpoint_auth_method', 'private_key_jwt');
  await page.waitForFunction(() => document.querySelector('[data-testid=client-jwk]')?.value.includes('"kid"'));
  assert.equal(await page.getByTestId('client-secret').count(), 0);
  assert.deepEqual(await audit(page), []);
});

test('the provider card (preset, CORS probe, keys) and a popup login waiting with Cancel, light and dark', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const context = await env.browser.browser.newContext({ colorScheme });
    const page = await context.newPage();
    // A confidential flow, so the card has a refused CORS header to report as well as passes.
    await page.goto(`${origin}/?preset=bundled&issuer=${encodeURIComponent(env.idp.issuer)}&flow=code`);
    await page.getByTestId('discover').click();
    await page.waitForFunction(() => document.querySelector('li.step[data-step=jwks]')?.dataset.status);
    assert.deepEqual(await audit(page), [], colorScheme);
    // A popup login, waiting: the Cancel button and the waiting text.
    await page.getByTestId('client-secret').fill('flowlab-demo-secret');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Sign in' }).click()]);
    await page.getByRole('button', { name: 'Cancel' }).waitFor();
    await page.waitForFunction(() => !document.querySelector('[data-testid=cancel]').disabled);
    assert.deepEqual(await audit(page), [], `${colorScheme}, waiting`);
    await popup.close();
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await settled(page)).error, 'popup_closed');
    await context.close();
  }
});

test('every layout: light and dark, desktop and phone, before and after sign-in (and an embed)', async () => {
  for (const colorScheme of ['light', 'dark']) {
    for (const viewport of [{ width: 1440, height: 900 }, { width: 390, height: 844 }]) {
      const context = await env.browser.browser.newContext({ colorScheme, viewport });
      const page = await open(context);
      const where = `${colorScheme}, ${viewport.width}px`;
      assert.deepEqual(await audit(page), [], `${where}, not signed in`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await signInAtProvider(page, env.idp.issuer);
      assert.equal((await settled(page)).status, 'signed-in');
      // A check line opened to its explanation, the session's other tabs.
      await page.locator('li.step[data-step=id-token] li.check summary').first().click();
      assert.deepEqual(await audit(page), [], `${where}, signed in`);
      await page.getByRole('tab', { name: 'Tokens' }).click();
      assert.deepEqual(await audit(page), [], `${where}, signed in, tokens tab`);
      // The same page in embed mode (not framed here: it says so).
      await page.goto(`${origin}/?embed=1&embed_config=readonly&issuer=${encodeURIComponent(env.idp.issuer)}`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      assert.deepEqual(await audit(page), [], `${where}, embed`);
      await context.close();
    }
  }
});
