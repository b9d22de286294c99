// Shared helpers for the end-to-end tests: start the bundled provider and the static server,
// launch Debian's Chromium through playwright-core, sign in at the provider, audit storage.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '..', '..');
export const dist = process.env.FLOWLAB_DIST || join(root, 'dist');

const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGTERM');
});

/** Starts a node script (or `command`) and resolves when it prints `ready` on stdout. */
function startProcess(args, env, ready, command = process.execPath) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: join(root, 'tests'), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`timed out starting ${args.join(' ')}:\n${out}`)), 20000);
    const onData = (d) => {
      out += d;
      if (out.includes(ready)) {
        clearTimeout(timer);
        resolvePromise(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => {
      children.delete(child);
      clearTimeout(timer);
      if (!out.includes(ready)) reject(new Error(`${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
}

export function stop(child) {
  if (child && child.exitCode === null) child.kill('SIGTERM');
}

/** Starts the bundled provider. */
export async function startIdp({ port, appOrigins, appPaths = '/', corsOrigins, idpEnv = {} }) {
  const env = { ...idpEnv, IDP_PORT: String(port), APP_ORIGINS: appOrigins.join(','), APP_PATHS: appPaths };
  if (corsOrigins) env.CORS_ORIGINS = corsOrigins.join(',');
  const child = await startProcess(['idp/server.mjs'], env, 'IDP_READY');
  return { child, issuer: `http://127.0.0.1:${port}` };
}

/**
 * Starts the second provider: django-oauth-toolkit with its defaults (tests/dot/server.py), in
 * the project's virtual environment (.venv, made by scripts/setup.sh).
 */
export async function startDot({ port, appOrigins, appPaths = '/' }) {
  const env = { DOT_PORT: String(port), APP_ORIGINS: appOrigins.join(','), APP_PATHS: appPaths };
  const child = await startProcess([join(root, 'tests', 'dot', 'server.py')], env, 'DOT_READY', join(root, '.venv', 'bin', 'python'));
  return { child, issuer: `http://127.0.0.1:${port}/o`, origin: `http://127.0.0.1:${port}` };
}

/** Signs in at django-oauth-toolkit's login page (the Django project's own template). */
export async function signInAtDot(page, dotOrigin, login = 'alice') {
  await page.waitForURL((u) => u.href.startsWith(`${dotOrigin}/accounts/login/`), { timeout: 15000 });
  await page.fill('input[name=username]', login);
  await page.fill('input[name=password]', 'looking-glass');
  await page.click('button[type=submit]');
}

/** Serves dist/ as a static host would; every request is logged. */
export async function startStatic({ port, base = '/', dir = dist, frameAncestors }) {
  const logDir = mkdtempSync(join(tmpdir(), 'flowlab-serve-'));
  const logFile = join(logDir, 'requests.log');
  writeFileSync(logFile, '');
  const extra = frameAncestors ? ['--frame-ancestors', frameAncestors] : [];
  const child = await startProcess(['serve.mjs', '--dir', dir, '--port', String(port), '--base', base, '--log', logFile, ...extra], {}, 'SERVE_READY');
  return {
    child,
    url: `http://127.0.0.1:${port}${base}`,
    requests: () => readFileSync(logFile, 'utf8').split('\n').filter(Boolean),
    cleanup: () => rmSync(logDir, { recursive: true, force: true }),
  };
}

/** Launches Debian's Chromium; `newContext()` gives each test its own cookies and storage. */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return { browser, newContext: () => browser.newContext(), close: () => browser.close() };
}

/** Token responses the watchers are still reading; `settled` waits for them. */
const pendingReads = new Set();

/** Makes `settled` wait for a test's own read of a response, too. */
export function track(read) {
  const done = read.finally(() => pendingReads.delete(done));
  pendingReads.add(done);
  return done;
}

/** Records what the page does: console errors, requests to the token endpoint, tokens issued. */
export function watch(page, appOrigin) {
  const seen = { errors: [], tokenRequests: [], tokens: [], frontTokens: [], navigations: [], requests: [] };
  // The token endpoint: /token at the bundled provider, /o/token/ at django-oauth-toolkit.
  const isToken = (u) => /\/token\/?$/.test(new URL(u).pathname);
  // Errors on the app's own pages only (the provider's pages are not under test).
  page.on('console', (m) => {
    if (m.type() === 'error' && (!appOrigin || page.url().startsWith(appOrigin))) seen.errors.push(m.text());
  });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  page.on('framenavigated', (f) => {
    if (f !== page.mainFrame()) return;
    seen.navigations.push(f.url());
    // Tokens handed over in a fragment (implicit, hybrid): the audit looks for them too.
    const hash = new URL(f.url()).hash.slice(1);
    for (const k of ['access_token', 'id_token']) {
      const v = new URLSearchParams(hash).get(k);
      if (v) seen.frontTokens.push(v);
    }
  });
  page.on('request', (r) => {
    seen.requests.push(`${r.method()} ${r.url()}`);
    if (isToken(r.url()) && r.method() === 'POST') seen.tokenRequests.push(r.url());
  });
  page.on('response', (r) => {
    if (isToken(r.url()) && r.request().method() === 'POST') {
      const read = r
        .json()
        .then((j) => {
          for (const k of ['access_token', 'id_token', 'refresh_token']) if (j[k]) seen.tokens.push(j[k]);
        })
        .catch(() => {
          /* not JSON: nothing issued */
        })
        .finally(() => pendingReads.delete(read));
      pendingReads.add(read);
    }
  });
  return seen;
}

/**
 * Presses Sign in and completes the provider's pages, in the popup when `popupWindow`, and
 * returns the settled outcome.
 */
export async function signIn(page, idpOrigin, popupWindow) {
  const button = page.getByRole('button', { name: 'Sign in' });
  if (!popupWindow) {
    await button.click();
    await signInAtProvider(page, idpOrigin);
    return settled(page);
  }
  const [popup] = await Promise.all([page.waitForEvent('popup'), button.click()]);
  await signInAtProvider(popup, idpOrigin);
  return settled(page);
}

/** Completes the provider's development login and consent pages, whichever it shows. */
export async function signInAtProvider(page, idpOrigin, login = 'alice') {
  const atProvider = () => page.url().startsWith(`${idpOrigin}/interaction/`);
  await page.waitForURL((u) => u.href.startsWith(`${idpOrigin}/interaction/`), { timeout: 15000 });
  for (let i = 0; i < 4 && !page.isClosed() && atProvider(); i += 1) {
    const from = page.url();
    const prompt = await page.locator('input[name=prompt]').getAttribute('value', { timeout: 5000 });
    if (prompt === 'login') {
      await page.fill('input[name=login]', login);
      await page.fill('input[name=password]', 'any-password');
    }
    try {
      await Promise.all([page.waitForURL((u) => u.href !== from, { timeout: 15000 }), page.click('button[type=submit]')]);
      await page.waitForLoadState('load');
    } catch (e) {
      // A login popup closes itself once it has handed the answer over.
      if (page.isClosed()) return;
      throw e;
    }
  }
}

/**
 * The usual environment of a test file: a provider, the static server and Chromium,
 * started before its tests and stopped after. Returns an object whose fields are set by then.
 */
export function environment({ appPort, idpPort, appPaths = '/', base = '/', dir = dist, corsOrigins, extraOrigins = [], provider = 'bundled', frameAncestors, idpEnv, before, after }) {
  const env = { origin: `http://127.0.0.1:${appPort}` };
  before(async () => {
    const origins = [env.origin, ...extraOrigins];
    // `provider`: the bundled oidc-provider, or django-oauth-toolkit ('dot').
    env.idp = provider === 'dot'
      ? await startDot({ port: idpPort, appOrigins: origins, appPaths })
      : await startIdp({ port: idpPort, appOrigins: origins, appPaths, corsOrigins, idpEnv });
    env.app = await startStatic({ port: appPort, base, dir, frameAncestors });
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    stop(env.app?.child);
    env.app?.cleanup();
    stop(env.idp?.child);
  });
  return env;
}

/**
 * Rewrites the provider's final answer to the browser (a redirect to the callback, or the
 * auto-submitting form of form_post) with `rewrite({ location, html })`, which returns
 * `{ location }` or `{ html }` (or nothing to leave it). Playwright does not route redirect
 * follow-ups, so the consent POST that starts the chain is routed and the provider's own
 * redirects are followed here with the context's cookies.
 */
export async function rewriteProviderAnswer(page, issuer, rewrite) {
  await page.route(`${issuer}/interaction/**`, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    let response = await route.fetch({ maxRedirects: 0 });
    for (let i = 0; i < 5 && (response.headers().location || '').startsWith(`${issuer}/auth/`); i += 1) {
      response = await page.context().request.get(response.headers().location, { maxRedirects: 0 });
    }
    const location = response.headers().location;
    const changed = location ? rewrite({ location }) : rewrite({ html: await response.text() });
    if (changed?.location) return route.fulfill({ status: 303, headers: { location: changed.location } });
    if (changed?.html) return route.fulfill({ response, body: changed.html });
    if (location) return route.fulfill({ status: 303, headers: { location } });
    return route.fulfill({ response });
  });
}

export function outcome(page) {
  return page.locator('[data-testid=outcome]');
}

/** Waits until the outcome leaves in-progress (or idle after a redirect) and returns it. */
export async function settled(page, timeout = 20000) {
  const o = outcome(page);
  await page.waitForFunction(
    () => {
      const el = document.querySelector('[data-testid=outcome]');
      return el && ['signed-in', 'error'].includes(el.getAttribute('data-status'));
    },
    null,
    { timeout },
  );
  // The watchers' reads of token responses finish first, so a test sees every token issued.
  await Promise.all([...pendingReads]);
  return { status: await o.getAttribute('data-status'), error: await o.getAttribute('data-error'), text: await o.innerText() };
}

/**
 * The no-token audit: no access, ID or refresh token in localStorage, sessionStorage,
 * IndexedDB, cookies, Cache Storage, the URL, or any URL the tab navigated to.
 */
export async function auditNoTokens(page, context, tokens, navigations, staticRequests = []) {
  const found = [];
  const state = await page.evaluate(async () => {
    const dump = (s) => Array.from({ length: s.length }, (_, i) => `${s.key(i)}=${s.getItem(s.key(i))}`).join('\n');
    const dbs = indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name) : [];
    const cacheKeys = 'caches' in self ? await caches.keys() : [];
    const cached = [];
    for (const k of cacheKeys) {
      const c = await caches.open(k);
      for (const req of await c.keys()) cached.push(req.url);
    }
    return { local: dump(localStorage), session: dump(sessionStorage), cookie: document.cookie, dbs, cacheKeys, cached, url: location.href, historyLength: history.length };
  });
  const cookies = (await context.cookies()).map((c) => `${c.domain} ${c.name}=${c.value}`).join('\n');
  const places = {
    localStorage: state.local,
    sessionStorage: state.session,
    'document.cookie': state.cookie,
    cookies,
    'IndexedDB names': state.dbs.join(','),
    'Cache Storage': `${state.cacheKeys.join(',')} ${state.cached.join(',')}`,
    URL: state.url,
    'navigated URLs': navigations.join('\n'),
    'static host requests': staticRequests.join('\n'),
  };
  for (const t of tokens) {
    for (const [where, text] of Object.entries(places)) {
      if (t && text.includes(t)) found.push(`${where} holds a token (${t.slice(0, 12)}…)`);
    }
  }
  return { found, state };
}

/**
 * Opens the configuration when a run has folded it into its one-line summary (so its fields can
 * be edited again).
 */
export async function openConfig(page) {
  if (!(await page.locator('#config').evaluate((d) => d.open))) await page.locator('#config > summary').click();
}
