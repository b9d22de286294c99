// The release build served from a sub-path (/flowlab/), as on a static host: assets, the
// callback page and the redirect URI all live under the sub-path. Built by scripts/test.sh with
// `--public-url /flowlab/ --dist target/dist-subpath`.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { environment, root, settled, signInAtProvider, watch } from './harness.mjs';

const dir = process.env.FLOWLAB_DIST_SUBPATH || join(root, 'target', 'dist-subpath');
const APP_PORT = 18090;
const IDP_PORT = 19010;
const origin = `http://127.0.0.1:${APP_PORT}`;
before(() => {
  assert.ok(existsSync(join(dir, 'index.html')), `build the sub-path variant first: trunk build --release --offline --public-url /flowlab/ --dist ${dir}`);
});
const env = environment({ appPort: APP_PORT, idpPort: IDP_PORT, appPaths: '/flowlab/', base: '/flowlab/', dir, before, after });

test('a full login from /flowlab/ on a static host', async () => {
  const page = await (await env.browser.newContext()).newPage();
  const seen = watch(page, origin);
  await page.goto(`${origin}/flowlab/?issuer=${encodeURIComponent(env.idp.issuer)}&client_id=flowlab-demo`);
  assert.equal(await page.inputValue('#redirect_uri'), `${origin}/flowlab/callback.html`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signInAtProvider(page, env.idp.issuer);
  const result = await settled(page);
  assert.equal(result.status, 'signed-in', result.text);
  assert.equal(new URL(page.url()).pathname, '/flowlab/');
  assert.match(await page.getByTestId('id-token-claims').innerText(), /sub\s+alice/);
  // Every request the static host saw stayed under the sub-path, and none was a POST.
  const requests = env.app.requests();
  assert.ok(requests.length > 0);
  assert.ok(requests.every((r) => r.startsWith('GET /flowlab/')), requests.join('\n'));
  assert.deepEqual(seen.errors, []);
});

test('form_post from /flowlab/: the worker scoped to the sub-path takes the POST', async () => {
  const page = await (await env.browser.newContext()).newPage();
  const before = env.app.requests().length;
  await page.goto(`${origin}/flowlab/?issuer=${encodeURIComponent(env.idp.issuer)}&client_id=flowlab-demo&response_mode=form_post`);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).scope);
  assert.equal(scope, `${origin}/flowlab/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signInAtProvider(page, env.idp.issuer);
  const result = await settled(page);
  assert.equal(result.status, 'signed-in', result.text);
  const requests = env.app.requests().slice(before);
  assert.ok(requests.every((r) => r.startsWith('GET /flowlab/')), requests.join('\n'));
});
