// Flowlab's latency benchmark: the release build (dist/) against the bundled provider, in headless
// Chromium, on this machine. Not part of scripts/test.sh; run it with
//   node scripts/bench.mjs [runs]          (default 15 runs per figure; build first)
// It prints, per figure, the median and the spread (min, p25, p75, max) in milliseconds:
//   (a) cold load to interactive: navigation start to an enabled Sign in button, a fresh browser
//       context (empty cache, no Service Worker) each run;
//   (b) login: the browser's request for the redirect URI (callback.html) to the final status
//       (data-status=signed-in), for PKCE in the redirect and popup windows, implicit (id_token,
//       form_post) and hybrid (code id_token, form_post);
//   (c) in the same runs, the network floor: the provider round trips on the critical path after
//       the callback request, from Resource Timing (the union of their intervals, so calls made
//       in parallel count once);
//   (d) the app's own time, (b) minus (c), and its phases from the app's performance.mark calls:
//       page (callback request to the wasm started; 0 for the popup, whose page does not load the
//       app), transaction, token, keys, signature, api, render (the last mark to the status);
//   (e) what this harness costs any page: a blank page of the same server, navigated to the same
//       way, from its request to its first script. Every login figure pays it once (the callback
//       page); it is the browser's and the automation's, not the app's, and is not subtracted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance as nodePerf } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const harness = await import(join(root, 'tests', 'e2e', 'harness.mjs'));
const { startIdp, startStatic, launchBrowser, signInAtProvider, stop } = harness;

const RUNS = Number(process.argv[2] || 15);
const APP_PORT = 18777;
const IDP_PORT = 19777;
const origin = `http://127.0.0.1:${APP_PORT}`;

const idp = await startIdp({ port: IDP_PORT, appOrigins: [origin] });
const app = await startStatic({ port: APP_PORT });
// (e): a blank page on a server of its own, the same static server program.
const blankDir = mkdtempSync(join(tmpdir(), 'flowlab-bench-'));
writeFileSync(join(blankDir, 'index.html'), '<!doctype html><meta charset="utf-8"><script>window.__first = performance.now()</script><title>blank</title>');
const blank = await startStatic({ port: APP_PORT + 1, dir: blankDir });
const browser = await launchBrowser();

/** Records, in every page of the context, when Sign in is enabled and when the outcome settles. */
const RECORDER = () => {
  const now = () => performance.timeOrigin + performance.now();
  window.__bench = {};
  const watch = () => {
    const button = document.querySelector('[data-testid=sign-in]');
    if (button && !button.disabled && !window.__bench.interactive) window.__bench.interactive = performance.now();
    const outcome = document.querySelector('[data-testid=outcome]');
    const status = outcome && outcome.getAttribute('data-status');
    if ((status === 'signed-in' || status === 'error') && !window.__bench.final) {
      window.__bench.final = now();
      window.__bench.status = status;
      window.__bench.text = outcome.textContent;
    }
  };
  new MutationObserver(watch).observe(document, { subtree: true, childList: true, attributes: true });
};

function stats(values) {
  const v = [...values].sort((a, b) => a - b);
  const q = (p) => v[Math.min(v.length - 1, Math.max(0, Math.round(p * (v.length - 1))))];
  return { median: q(0.5), min: v[0], p25: q(0.25), p75: q(0.75), max: v[v.length - 1], n: v.length };
}
const fmt = (s) => `${s.median.toFixed(1).padStart(7)}  (min ${s.min.toFixed(1)}, p25 ${s.p25.toFixed(1)}, p75 ${s.p75.toFixed(1)}, max ${s.max.toFixed(1)}, n ${s.n})`;

async function coldLoad() {
  const context = await browser.newContext();
  await context.addInitScript(RECORDER);
  const page = await context.newPage();
  await page.goto(`${origin}/?issuer=${encodeURIComponent(idp.issuer)}&client_id=flowlab-demo`);
  await page.waitForFunction(() => window.__bench.interactive !== undefined, null, { timeout: 20000 });
  const t = await page.evaluate(() => window.__bench.interactive);
  await context.close();
  return t;
}

/** Merged length of [start, end] intervals. */
function union(intervals) {
  const s = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let cur = null;
  for (const [a, b] of s) {
    if (!cur || a > cur[1]) {
      if (cur) total += cur[1] - cur[0];
      cur = [a, b];
    } else cur[1] = Math.max(cur[1], b);
  }
  if (cur) total += cur[1] - cur[0];
  return total;
}

async function login(params) {
  const context = await browser.newContext();
  await context.addInitScript(RECORDER);
  const page = await context.newPage();
  const q = new URLSearchParams({ issuer: idp.issuer, client_id: 'flowlab-demo', ...params });
  await page.goto(`${origin}/?${q}`);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
  await page.waitForFunction(() => window.__bench.interactive !== undefined);
  // The browser's request for the redirect URI, in whichever window makes it.
  let callbackStart;
  context.on('request', (r) => {
    if (r.url().startsWith(`${origin}/callback.html`) && callbackStart === undefined) callbackStart = r;
  });
  let loginPage = page;
  if (params.window === 'popup') {
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Sign in' }).click()]);
    loginPage = popup;
  } else {
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await signInAtProvider(loginPage, idp.issuer);
  await page.waitForFunction(() => window.__bench.final !== undefined, null, { timeout: 20000 });
  const result = await page.evaluate(() => {
    const marks = Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, performance.timeOrigin + m.startTime]));
    const resources = performance.getEntriesByType('resource').map((e) => ({
      url: e.name,
      start: performance.timeOrigin + e.startTime,
      end: performance.timeOrigin + e.responseEnd,
    }));
    return { ...window.__bench, marks, resources };
  });
  if (result.status !== 'signed-in') throw new Error(`the login ended ${result.status}: ${result.text}`);
  // Resource Timing's start of the callback request, in epoch milliseconds.
  const timing = callbackStart.timing();
  const start = timing.startTime;
  const provider = result.resources.filter((e) => e.url.startsWith(idp.issuer) && e.start >= start - 1);
  const floor = union(provider.map((e) => [e.start, e.end]));
  const total = result.final - start;
  const m = result.marks;
  const order = ['flowlab:wasm-started', 'flowlab:transaction', 'flowlab:token', 'flowlab:keys', 'flowlab:signature', 'flowlab:api'];
  const phases = {};
  let prev = start;
  for (const name of order) {
    if (m[name] === undefined || m[name] < start) continue;
    phases[name.replace('flowlab:', '')] = m[name] - prev;
    prev = m[name];
  }
  phases.render = result.final - prev;
  await context.close();
  return { total, floor, app: total - floor, phases };
}

/** (e): a blank page, from the browser's request for it to its first script. */
async function blankPage(i) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${APP_PORT + 1}/?first`);
  await page.goto(`http://127.0.0.1:${APP_PORT + 1}/?${i}`);
  const t = await page.evaluate(() => window.__first - performance.getEntriesByType('navigation')[0].requestStart);
  await context.close();
  return t;
}

const t0 = nodePerf.now();
console.log(`Flowlab benchmark: ${RUNS} runs per figure, release build, bundled provider, headless Chromium\n`);
const loads = [];
for (let i = 0; i < RUNS; i += 1) loads.push(await coldLoad());
console.log(`(a) cold load to interactive (ms)      ${fmt(stats(loads))}\n`);
const blanks = [];
for (let i = 0; i < RUNS; i += 1) blanks.push(await blankPage(i));
console.log(`(e) a blank page: request to its first script ${fmt(stats(blanks))}\n`);

const FLOWS = [
  ['PKCE, redirect window', {}],
  ['PKCE, popup window', { window: 'popup' }],
  ['implicit id_token, form_post', { flow: 'implicit', response_mode: 'form_post' }],
  ['hybrid code id_token, form_post', { flow: 'hybrid', response_mode: 'form_post' }],
];
// BENCH_ONLY=<part of a name> runs only the matching figures (cold load always runs).
for (const [name, params] of FLOWS.filter(([n]) => !process.env.BENCH_ONLY || n.includes(process.env.BENCH_ONLY))) {
  const runs = [];
  for (let i = 0; i < RUNS; i += 1) runs.push(await login(params));
  console.log(`${name}`);
  console.log(`  (b) callback request to final status ${fmt(stats(runs.map((r) => r.total)))}`);
  console.log(`  (c) network floor (provider)         ${fmt(stats(runs.map((r) => r.floor)))}`);
  console.log(`  (d) the app's own time               ${fmt(stats(runs.map((r) => r.app)))}`);
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.phases)))];
  for (const p of names) {
    const values = runs.map((r) => r.phases[p] ?? 0);
    console.log(`      ${p.padEnd(33)}${fmt(stats(values))}`);
  }
  console.log('');
}
console.log(`(${((nodePerf.now() - t0) / 1000).toFixed(0)} s)`);

await browser.close();
stop(app.child);
app.cleanup();
stop(blank.child);
blank.cleanup();
rmSync(blankDir, { recursive: true, force: true });
stop(idp.child);
process.exit(0);
