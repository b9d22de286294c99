// The README's screenshots, made from the release build (dist/) against the bundled provider in
// headless Chromium: desktop light (1440x900), presenter view dark (1280x720) and a phone
// (390x844), each after a PKCE sign-in. Build first (scripts/build.sh), then
//   node scripts/screenshots.mjs            (writes docs/screenshot-*.png)
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { startIdp, startStatic, launchBrowser, signInAtProvider, settled, stop } = await import(
  join(root, 'tests', 'e2e', 'harness.mjs')
);

const APP_PORT = 18778;
const IDP_PORT = 19778;
const origin = `http://127.0.0.1:${APP_PORT}`;
const out = join(root, 'docs');
mkdirSync(out, { recursive: true });

const idp = await startIdp({ port: IDP_PORT, appOrigins: [origin] });
const app = await startStatic({ port: APP_PORT });
const browser = await launchBrowser();
const shots = [
  ['screenshot-desktop-light.png', { viewport: { width: 1440, height: 900 }, colorScheme: 'light' }, ''],
  ['screenshot-presenter-dark.png', { viewport: { width: 1280, height: 720 }, colorScheme: 'dark' }, '&presenter=on'],
  ['screenshot-phone.png', { viewport: { width: 390, height: 844 }, colorScheme: 'light', isMobile: true, hasTouch: true }, ''],
];
try {
  for (const [file, options, query] of shots) {
    const context = await browser.browser.newContext(options);
    const page = await context.newPage();
    await page.goto(`${origin}/?issuer=${encodeURIComponent(idp.issuer)}&client_id=flowlab-demo${query}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signInAtProvider(page, idp.issuer);
    const r = await settled(page);
    if (r.status !== 'signed-in') throw new Error(`${file}: ${r.status} ${r.text}`);
    if (options.isMobile) {
      // A phone: the top of the page, with the actions, the outcome and the step list.
      await page.evaluate(() => window.scrollTo(0, 0));
    } else {
      // The ID token step selected, as a presenter would show it.
      await page.locator('svg[data-testid=sequence-diagram] .arrow[data-step=id-token]').click();
    }
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(out, file) });
    console.log(`wrote docs/${file}`);
    await context.close();
  }
} finally {
  await browser.close();
  stop(app.child);
  stop(idp.child);
  app.cleanup();
}
