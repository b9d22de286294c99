// Embedding: a host page on another site (localhost) frames Flowlab (127.0.0.1), configures it
// by message, the reader signs in through the popup against the bundled provider, and the host
// receives the status, the steps and the claims, never a token. Messages from a third origin or
// another window have no effect; a wrong or '*' embed_origin sends nothing; nothing is stored.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { environment, signInAtProvider, watch } from './harness.mjs';

const APP_PORT = 18095;
const IDP_PORT = 19015;
const HOST_PORT = 18096;
const origin = `http://127.0.0.1:${APP_PORT}`;
// Another site: "localhost" and "127.0.0.1" are different sites, so the frame is third-party
// (its storage and BroadcastChannel are partitioned by the host's site).
const hostOrigin = `http://localhost:${HOST_PORT}`;
// The static host allows the host site to frame Flowlab (as the README tells a host to).
const env = environment({ appPort: APP_PORT, idpPort: IDP_PORT, frameAncestors: hostOrigin, before, after });

/** The host page: Flowlab in an iframe, every message from it recorded, `send` to command it. */
function hostPage(frameUrl) {
  return `<!doctype html><html lang="en"><head><title>Docs</title></head><body>
<h1>Try it</h1>
<iframe id="flowlab" src="${frameUrl}" title="Flowlab" width="1300" height="900"></iframe>
<script>
window.msgs = [];
addEventListener('message', (e) => { if (e.origin === '${origin}') window.msgs.push(e.data); });
window.send = (m) => document.getElementById('flowlab').contentWindow.postMessage(m, '${origin}');
</script></body></html>`;
}

// The host site: a real server on loopback (a page Playwright made up would count as a public
// address, and Chromium's local network access checks would refuse it a loopback frame).
let hostServer;
before(async () => {
  hostServer = createServer((req, res) => {
    const url = new URL(req.url, hostOrigin);
    if (url.pathname !== '/host.html') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(hostPage(`${origin}/?${url.searchParams.get('frame')}`));
  });
  await new Promise((resolve) => hostServer.listen(HOST_PORT, 'localhost', resolve));
});
after(() => hostServer?.close());

/** Opens the host page framing Flowlab with these query parameters. */
async function openHost(params) {
  const context = await env.browser.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const seen = watch(page, origin);
  await page.goto(`${hostOrigin}/host.html?frame=${encodeURIComponent(new URLSearchParams(params).toString())}`);
  const frame = page.frameLocator('#flowlab');
  await frame.getByRole('button', { name: 'Sign in' }).waitFor();
  return { context, page, frame, seen };
}

const messages = (page) => page.evaluate(() => window.msgs);

test('a host on another site configures the frame, the reader signs in through the popup, the host learns everything but a token', async () => {
  const { context, page, frame, seen } = await openHost({ embed: '1', embed_origin: hostOrigin, embed_config: 'readonly' });
  await page.waitForFunction(() => window.msgs.some((m) => m.type === 'flowlab:ready'));
  assert.equal((await messages(page)).find((m) => m.type === 'flowlab:ready').version, '1');
  // Configured by message: the contract's fields, secrets refused.
  await page.evaluate(
    ([issuer]) => window.send({ type: 'flowlab:configure', config: { issuer, client_id: 'flowlab-demo', scope: 'openid profile', client_secret: 'nope' } }),
    [env.idp.issuer],
  );
  await frame.locator('[data-testid=embed-notice]').filter({ hasText: 'client_secret' }).waitFor();
  assert.equal(await frame.locator('#issuer').inputValue(), env.idp.issuer);
  // Read-only for the reader: the fields cannot be edited.
  assert.equal(await frame.locator('#issuer').isEditable(), false);
  // The reader signs in: a popup (providers refuse to be framed).
  const [popup] = await Promise.all([page.waitForEvent('popup'), frame.getByRole('button', { name: 'Sign in' }).click()]);
  await signInAtProvider(popup, env.idp.issuer);
  await page.waitForFunction(() => window.msgs.some((m) => m.type === 'flowlab:status' && m.status === 'signed-in'), null, { timeout: 20000 });
  const msgs = await messages(page);
  const signedIn = msgs.find((m) => m.type === 'flowlab:signed-in');
  assert.equal(signedIn.claims.sub, 'alice');
  assert.match(signedIn.scope, /openid/);
  const steps = msgs.filter((m) => m.type === 'flowlab:step');
  for (const id of ['discovery', 'authorize', 'callback', 'token', 'id-token']) assert.ok(steps.some((s) => s.id === id), id);
  const idToken = steps.filter((s) => s.id === 'id-token').at(-1);
  assert.equal(idToken.status, 'done');
  assert.ok(idToken.checks.passed > 5 && idToken.checks.failed === 0, JSON.stringify(idToken));
  assert.deepEqual(
    [...new Set(msgs.filter((m) => m.type === 'flowlab:status').map((m) => m.status))].sort(),
    ['idle', 'in-progress', 'signed-in'],
  );
  // Never a token: not one the provider issued, in any message (the test's own read of the
  // token response may still be under way).
  for (let i = 0; i < 50 && seen.tokens.length < 2; i += 1) await page.waitForTimeout(100);
  assert.ok(seen.tokens.length >= 2, 'the provider issued tokens');
  const text = JSON.stringify(msgs);
  for (const t of seen.tokens) assert.ok(!text.includes(t), 'a token reached the host');
  assert.ok(!/access_token|refresh_token|id_token"|client_secret/.test(text), text);
  // Nothing stored on either side (the frame's storage is the host-partitioned one).
  for (const where of [page, page.frames().find((f) => f.url().startsWith(origin)), popup.isClosed() ? null : popup]) {
    if (!where) continue;
    const stored = await where.evaluate(() => [sessionStorage.length, localStorage.length]).catch(() => [0, 0]);
    assert.deepEqual(stored, [0, 0]);
  }
  // Signing out by message forgets the session.
  await page.evaluate(() => window.send({ type: 'flowlab:sign-out' }));
  await frame.locator('[data-testid=sign-out]').and(frame.locator(':disabled')).waitFor({ timeout: 10000 });
  await context.close();
});

test("another window or origin cannot command the frame; the frame counts what it ignored", async () => {
  const { context, page, frame } = await openHost({ embed: '1', embed_origin: hostOrigin, issuer: env.idp.issuer, client_id: 'flowlab-demo' });
  await page.waitForFunction(() => window.msgs.some((m) => m.type === 'flowlab:ready'));
  await page.evaluate(() => {
    // A frame of the host's own origin (srcdoc) that is not the parent, and a sandboxed one
    // (an opaque origin): both try to reconfigure Flowlab.
    const target = document.getElementById('flowlab').contentWindow;
    const same = document.createElement('iframe');
    document.body.append(same);
    same.contentWindow.eval(`parent.document.getElementById('flowlab').contentWindow.postMessage({type:'flowlab:configure',config:{issuer:'https://evil.example'}}, '*')`);
    const sandboxed = document.createElement('iframe');
    sandboxed.sandbox = 'allow-scripts';
    sandboxed.srcdoc = `<script>parent.frames[0].postMessage({type:'flowlab:configure',config:{issuer:'https://evil.example'}}, '*')<\/script>`;
    document.body.append(sandboxed);
    // From the parent, but not a command.
    target.postMessage({ type: 'flowlab:unknown' }, '*');
  });
  await frame.locator('[data-testid=embed-notice]').filter({ hasText: /3 messages ignored/ }).waitFor({ timeout: 5000 });
  assert.equal(await frame.locator('#issuer').inputValue(), env.idp.issuer);
  await context.close();
});

for (const [name, value] of [
  ['*', '*'],
  ['another origin', 'https://elsewhere.example'],
  ['plain http off loopback', 'http://docs.example'],
]) {
  test(`embed_origin ${name}: nothing is sent, and the frame says why`, async () => {
    const { context, page, frame } = await openHost({ embed: '1', embed_origin: value, issuer: env.idp.issuer });
    await page.waitForTimeout(1000);
    assert.deepEqual(await messages(page), []);
    if (value === 'https://elsewhere.example') {
      // A valid origin that is not the host's: the browser drops every message, and commands
      // from the real host are not taken.
      await page.evaluate(() => window.send({ type: 'flowlab:configure', config: { issuer: 'https://evil.example' } }));
      await page.waitForTimeout(300);
      assert.equal(await frame.locator('#issuer').inputValue(), env.idp.issuer);
    } else {
      assert.match(await frame.locator('[data-testid=embed-notice]').innerText(), /no messages are sent/);
    }
    await context.close();
  });
}

test('the redirect window is refused in an embed, with why', async () => {
  const { context, frame } = await openHost({ embed: '1', embed_origin: hostOrigin, window: 'redirect', issuer: env.idp.issuer });
  assert.match(await frame.locator('[data-testid=embed-notice]').innerText(), /providers refuse to be framed/);
  assert.equal(await frame.locator('#window').inputValue(), 'popup');
  await context.close();
});
