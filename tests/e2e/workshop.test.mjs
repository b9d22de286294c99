// End to end: workshop mode. With "Step through" on, the flow pauses before each redirect and
// each back-channel call, showing the request about to be sent, until "Continue" is pressed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { environment, settled, signInAtProvider, watch } from './harness.mjs';

const APP_PORT = 18089;
const IDP_PORT = 19009;
const origin = `http://127.0.0.1:${APP_PORT}`;
const env = environment({ appPort: APP_PORT, idpPort: IDP_PORT, before, after });

/** Waits for the next pause and returns the id of the step it holds; then continues. */
async function continueAfter(page, seen, expectedStep) {
  const cont = page.getByTestId('continue');
  await cont.waitFor();
  await page.waitForFunction(() => !document.querySelector('[data-testid=continue]').disabled, null, { timeout: 15000 });
  const pending = await page.locator('li.step[data-status=pending]').last().getAttribute('data-step');
  assert.equal(pending, expectedStep);
  assert.match(await page.getByTestId('outcome').innerText(), /Paused before/);
  const before = seen.requests.length;
  // Nothing is sent while paused.
  await page.waitForTimeout(300);
  assert.equal(seen.requests.length, before, `a request left during the pause before ${expectedStep}`);
  await cont.focus();
  await page.keyboard.press('Enter');
}

test('step through a PKCE login: a pause before every redirect and request', async () => {
  const page = await (await env.browser.newContext()).newPage();
  const seen = watch(page, origin);
  await page.goto(`${origin}/?issuer=${encodeURIComponent(env.idp.issuer)}&client_id=flowlab-demo`);
  await page.getByLabel('Step through').check();
  assert.equal(await page.getByTestId('continue').isDisabled(), true);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await continueAfter(page, seen, 'discovery');
  // Before the redirect the page is still here, showing the request it is about to send.
  await continueAfter(page, seen, 'authorize');
  await signInAtProvider(page, env.idp.issuer);
  // Back from the provider: the setting travelled with the login.
  await continueAfter(page, seen, 'token');
  await continueAfter(page, seen, 'jwks');
  await continueAfter(page, seen, 'api');
  const r = await settled(page);
  assert.equal(r.status, 'signed-in', r.text);
  assert.equal(await page.locator('li.step[data-status=pending]').count(), 0);
});

/** A login with one value broken on its way (break-it mode), returning the outcome. */
async function breakIt(value, { reachesApp = true } = {}) {
  const page = await (await env.browser.newContext()).newPage();
  const seen = watch(page, origin);
  await page.goto(`${origin}/?issuer=${encodeURIComponent(env.idp.issuer)}&client_id=flowlab-demo`);
  await page.selectOption('#break_it', value);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (!reachesApp) return { page, seen };
  await signInAtProvider(page, env.idp.issuer);
  return { page, seen, result: await settled(page) };
}

for (const [value, error, step, who] of [
  ['state', 'state_mismatch', 'authorize', /state/],
  ['nonce', 'nonce_mismatch', 'authorize', /nonce/],
  ['code_verifier', 'idp_error', 'token', /invalid_grant/],
  ['signature', 'bad_signature', 'id-token', /signature/],
]) {
  test(`break it: ${value} is rejected (${error})`, async () => {
    const { page, seen, result } = await breakIt(value);
    assert.equal(result.status, 'error', result.text);
    assert.equal(result.error, error, result.text);
    assert.match(result.text, who);
    // The tampered step says what was broken, and the form forgets the choice (once only).
    await page.locator(`li.step li.check`).filter({ has: page.locator('strong', { hasText: /^break-it$/ }) }).first().waitFor({ timeout: 2000 });
    assert.equal(await page.inputValue('#break_it'), '');
    if (value === 'code_verifier') {
      // The altered verifier stays masked like the real one.
      const body = await page.locator('li.step[data-step=token]').innerText();
      assert.ok(!/code_verifier=[A-Za-z0-9_-]{20}/.test(body), body);
    }
    if (value === 'signature') {
      assert.ok(await page.locator('li.step[data-step=id-token] li.check.fail').filter({ has: page.locator('strong', { hasText: /^signature$/ }) }).count());
    }
    // The provider's refusal (HTTP 400) is the expected rejection, logged by the env.browser.
    assert.deepEqual(seen.errors.filter((e) => !e.startsWith('Failed to load resource')), []);
  });
}

test('break it: redirect_uri is refused by the provider itself', async () => {
  const { page } = await breakIt('redirect_uri', { reachesApp: false });
  await page.waitForURL((u) => u.href.startsWith(env.idp.issuer), { timeout: 10000 });
  assert.match(await page.locator('body').innerText(), /redirect_uri/);
});
