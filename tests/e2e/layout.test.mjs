// The page as a workshop sees it: two panes from 1100 px (the diagram and the selected step
// together), presenter view at 1280x720, the keyboard path to Sign in, fine-grained updates
// during the device flow's polls, diagram labels that never overlap, and the teaching text
// coming from the content file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { dist, environment, settled, signInAtProvider } from './harness.mjs';

const APP_PORT = 18092;
const IDP_PORT = 19012;
const origin = `http://127.0.0.1:${APP_PORT}`;
const env = environment({ appPort: APP_PORT, idpPort: IDP_PORT, before, after });

async function page(options = {}, query = '') {
  const context = await env.browser.browser.newContext(options);
  const p = await context.newPage();
  await p.goto(`${origin}/?issuer=${encodeURIComponent(env.idp.issuer)}&client_id=flowlab-demo${query}`);
  await p.getByRole('button', { name: 'Sign in' }).waitFor();
  return { context, page: p };
}

async function signIn(p) {
  await p.getByRole('button', { name: 'Sign in' }).click();
  await signInAtProvider(p, env.idp.issuer);
  const r = await settled(p);
  assert.equal(r.status, 'signed-in', r.text);
}

/** How much of an element is inside the viewport, as a fraction of its visible height (0..1). */
function inView(p, selector) {
  return p.evaluate((sel) => {
    const e = document.querySelector(sel);
    if (!e) return -1;
    const r = e.getBoundingClientRect();
    const top = Math.max(r.top, 0);
    const bottom = Math.min(r.bottom, window.innerHeight);
    const left = Math.max(r.left, 0);
    const right = Math.min(r.right, window.innerWidth);
    if (bottom <= top || right <= left) return 0;
    return (bottom - top) / Math.min(r.height, window.innerHeight);
  }, selector);
}

test('two panes at 1440x900: after sign-in the diagram and the current step are both in view; an arrow brings its panel beside the diagram', async () => {
  const { context, page: p } = await page({ viewport: { width: 1440, height: 900 } });
  await signIn(p);
  // The configuration folded into its summary once the run started.
  assert.equal(await p.locator('#config').evaluate((d) => d.open), false);
  assert.match(await p.getByTestId('config-summary').innerText(), /PKCE/);
  await p.waitForFunction(() => document.querySelector('li.step.current'));
  assert.ok((await inView(p, 'svg[data-testid=sequence-diagram]')) > 0.5, 'the diagram is in view');
  assert.ok((await inView(p, 'li.step.current')) > 0.3, 'the current step is in view');
  // Side by side: the panel is to the right of the diagram.
  const [d, s] = await Promise.all(['svg[data-testid=sequence-diagram]', 'li.step.current'].map((sel) => p.locator(sel).boundingBox()));
  assert.ok(s.x > d.x + d.width - 1, `the panel (${s.x}) is beside the diagram (${d.x}+${d.width})`);
  // Selecting an early arrow brings its panel into view; the diagram stays where it is.
  await p.locator('svg[data-testid=sequence-diagram] .arrow[data-step=discovery]').click();
  await p.waitForFunction(() => document.activeElement?.id === 'step-discovery');
  assert.ok((await inView(p, '#step-discovery')) > 0.3, 'the selected panel is in view');
  assert.ok((await inView(p, 'svg[data-testid=sequence-diagram]')) > 0.5, 'the diagram is still in view');
  assert.match(await p.locator('#step-discovery').getAttribute('class'), /\bcurrent\b/);
  // The arrow of the selected step is highlighted, and only that one.
  assert.equal(await p.locator('svg .row.current').count(), 1);
  // With the keyboard: Enter on an arrow, then N and P.
  await p.locator('svg .arrow[data-step=token]').focus();
  await p.keyboard.press('Enter');
  await p.waitForFunction(() => document.activeElement?.id === 'step-token');
  await p.keyboard.press('n');
  assert.ok((await inView(p, 'li.step.current')) > 0.3);
  // The summary opens the configuration again.
  await p.locator('#config > summary').click();
  await p.locator('#issuer').waitFor();
  await context.close();
});

for (const colorScheme of ['light', 'dark']) {
  test(`presenter view at 1280x720 (${colorScheme}): the diagram and the current step together, without scrolling`, async () => {
    const { context, page: p } = await page({ viewport: { width: 1280, height: 720 }, colorScheme }, '&presenter=on');
    await signIn(p);
    await p.waitForFunction(() => document.querySelector('li.step.current'));
    assert.ok(await p.getByLabel('Presenter view').isChecked());
    assert.ok((await inView(p, 'svg[data-testid=sequence-diagram]')) > 0.3, 'the diagram is in view');
    assert.ok((await inView(p, 'li.step.current')) > 0.3, 'the current step is in view');
    // The actions and the outcome too: the left pane holds them above the diagram.
    assert.ok((await inView(p, '[data-testid=outcome]')) > 0.9);
    await context.close();
  });
}

test('Sign in is reachable within 3 Tab presses from the top (a skip link first)', async () => {
  const { context, page: p } = await page({ viewport: { width: 1280, height: 900 } });
  await p.evaluate(() => document.activeElement?.blur());
  const seen = [];
  for (let i = 0; i < 3; i += 1) {
    await p.keyboard.press('Tab');
    seen.push(await p.evaluate(() => document.activeElement?.id || document.activeElement?.textContent));
    if (seen.at(-1) === 'sign-in') break;
  }
  assert.ok(seen.includes('sign-in'), `Tab reached ${seen.join(', ')}`);
  // The skip link itself goes straight there (from a fresh page: the first Tab stop).
  await p.reload();
  await p.getByRole('button', { name: 'Sign in' }).waitFor();
  await p.keyboard.press('Tab');
  assert.match(await p.evaluate(() => document.activeElement.textContent), /Skip to Sign in/);
  await p.keyboard.press('Enter');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'sign-in');
  await context.close();
});

test('fine-grained updates: during the device flow polls, other panels keep their DOM nodes and a text selection', async () => {
  const { context, page: p } = await page({ viewport: { width: 1440, height: 900 } }, '&flow=device');
  await p.goto(`${origin}/?issuer=${encodeURIComponent(env.idp.issuer)}&client_id=flowlab-device&flow=device`);
  await p.route(`${env.idp.issuer}/device/auth`, async (route) => {
    const response = await route.fetch();
    const body = { ...(await response.json()), interval: 1 };
    await route.fulfill({ response, body: JSON.stringify(body) });
  });
  let polls = 0;
  p.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/token')) polls += 1;
  });
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByTestId('user-code').waitFor({ timeout: 10000 });
  await p.waitForFunction(() => document.querySelector('li.step[data-step=poll]'));
  // Mark the panels' nodes and select the user-code panel's explanation.
  const selected = await p.evaluate(() => {
    for (const li of document.querySelectorAll('li.step')) li.flowlabMark = li.dataset.step;
    const explain = document.querySelector('li.step[data-step=user-code] .explain');
    const range = document.createRange();
    range.selectNodeContents(explain);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    return sel.toString();
  });
  assert.ok(selected.length > 20, selected);
  const start = polls;
  await p.waitForFunction(() => document.querySelector('li.step[data-step=poll]')?.textContent.includes('authorization_pending'), null, { timeout: 15000 });
  while (polls < start + 2) await p.waitForTimeout(200);
  const after = await p.evaluate(() => ({
    marks: [...document.querySelectorAll('li.step')].map((li) => li.flowlabMark || null),
    selection: window.getSelection().toString(),
    pollPanels: document.querySelectorAll('li.step[data-step=poll]').length,
  }));
  assert.ok(after.marks.every((m) => m !== null), `a panel was redrawn: ${JSON.stringify(after.marks)}`);
  assert.equal(after.selection, selected, 'the selection survived the polls');
  assert.equal(after.pollPanels, 1, 'the polls update one panel');
  await context.close();
});

test('diagram labels overlap no arrow and no other label (a login with loops and a popup)', async () => {
  for (const viewport of [{ width: 1440, height: 900 }, { width: 1280, height: 720 }]) {
    const { context, page: p } = await page({ viewport }, '&presenter=on');
    await signIn(p);
    const overlaps = await p.evaluate(() => {
      const svg = document.querySelector('svg[data-testid=sequence-diagram]');
      const box = (e) => e.getBoundingClientRect();
      const hit = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
      const labels = [...svg.querySelectorAll('.arrow text')];
      const shapes = [...svg.querySelectorAll('.arrow line, .arrow path, .arrow polygon')];
      const found = [];
      for (const t of labels) {
        for (const s of shapes) if (hit(box(t), box(s))) found.push(`${t.textContent} / ${s.closest('.arrow').dataset.step} ${s.tagName}`);
        for (const u of labels) if (u !== t && hit(box(t), box(u))) found.push(`${t.textContent} / ${u.textContent}`);
        // Inside the picture: nothing cut off on the right.
        if (box(t).right > box(svg).right + 0.5) found.push(`${t.textContent} is cut off`);
      }
      return found;
    });
    assert.deepEqual(overlaps, []);
    await context.close();
  }
});

test('the teaching text comes from content/en.json, preloaded beside the wasm', async () => {
  const content = JSON.parse(readFileSync(join(dist, 'content', 'en.json'), 'utf8'));
  const { context, page: p } = await page({ viewport: { width: 1440, height: 900 } });
  await signIn(p);
  // Every explanation and meaning shown is a text of the file, never a bare key.
  const shown = await p.evaluate(() => ({
    explanations: [...document.querySelectorAll('li.step .explain')].map((e) => e.textContent),
    meanings: [...document.querySelectorAll('li.step table.params td:nth-child(3)')].map((e) => e.textContent),
    hints: [...document.querySelectorAll('#config-fields small')].map((e) => e.textContent),
  }));
  const texts = new Set(Object.values(content));
  for (const t of [...shown.explanations, ...shown.meanings, ...shown.hints]) {
    assert.ok(!/^(step|param|field|guide)\//.test(t), `a key without its text: ${t}`);
    assert.ok(texts.has(t), `not from the content file: ${t}`);
  }
  assert.ok(shown.explanations.length >= 6 && shown.meanings.length >= 5);
  // The file is preloaded by index.html, so it travels with the wasm instead of after it.
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  assert.match(html, /<link rel="preload" href="content\/en\.json" as="fetch" crossorigin/);
  await context.close();
});
