// Trunk post-build hook: runs in the staging directory before it becomes dist/.
//  0. Optimises the wasm for size with a current wasm-opt (binaryen 116, from the wasm-opt crate
//     that scripts/setup.sh installs; Debian's binaryen 108 mis-handles wasm-bindgen's externref
//     table), naming the wasm features, and drops its debug names and producers section with
//     wasm-opt's own options; then points the preload link's integrity hash at the new bytes.
//     Nothing else touches the wasm or the generated glue.
//  0b. Minifies the JavaScript (wasm-bindgen's glue, the Service Worker, the popup relay) with
//     terser from the test packages, and updates the glue's integrity hash.
//  1. A strict Content-Security-Policy as a <meta> tag, so it holds on any static host. Trunk
//     writes an inline <script type="module"> loader; the policy allows exactly that script by its
//     SHA-256 hash, and no other inline script.
//  2. callback.html: the same page (so the redirect URI works on hosts without SPA fallback), with
//     the popup relay (public/relay.js) inline as its first script, allowed by its hash;
//     relay.html, the relay alone, for a popup's form_post.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('post-build: TRUNK_STAGING_DIR is not set (run through trunk build)');
  process.exit(1);
}
const indexPath = join(dir, 'index.html');
let html = readFileSync(indexPath, 'utf8');

/** Points the integrity attribute of the tag that loads `file` at its new bytes. */
function updateIntegrity(file, bytes) {
  const integrity = `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
  const tag = new RegExp(`(href="[^"]*${file.replace(/[.]/g, '\\.')}"[^>]*integrity=")[^"]*(")`);
  if (!tag.test(html)) throw new Error(`post-build: no tag with integrity loads ${file}`);
  html = html.replace(tag, `$1${integrity}$2`);
}

const WASM_FEATURES = ['reference-types', 'bulk-memory', 'mutable-globals', 'nontrapping-float-to-int', 'sign-ext', 'multivalue'];

const WASM_OPT_VERSION = 'version 116';
for (const f of readdirSync(dir).filter((n) => n.endsWith('.wasm'))) {
  const path = join(dir, f);
  const before = readFileSync(path);
  if (process.env.FLOWLAB_WASM_OPT !== '0') {
    let version = '';
    try {
      version = execFileSync('wasm-opt', ['--version'], { encoding: 'utf8' });
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
    if (!version.includes(WASM_OPT_VERSION)) {
      console.warn(`post-build: wasm-opt ${WASM_OPT_VERSION} is not on PATH (scripts/setup.sh installs it): the wasm is not optimised`);
    } else {
      // -O2, then the size pipeline over its output: smaller gzipped than either alone (measured).
      const features = WASM_FEATURES.map((x) => `--enable-${x}`);
      execFileSync('wasm-opt', [path, '-O2', '-Os', '--strip-debug', '--strip-producers', ...features, '-o', path], { stdio: 'inherit' });
    }
  }
  const after = readFileSync(path);
  updateIntegrity(f, after);
  console.log(`post-build: ${f}: ${before.length} -> ${after.length} bytes`);
}

// JavaScript: minified by terser (installed with the test packages by scripts/setup.sh). The
// glue is an ES module; the Service Worker a classic script.
let terser;
try {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  terser = createRequire(join(root, 'tests', 'package.json'))('terser');
} catch {
  console.warn('post-build: terser is not installed: the JavaScript is not minified (scripts/setup.sh installs it)');
}
for (const f of terser ? readdirSync(dir).filter((n) => n.endsWith('.js')) : []) {
  const path = join(dir, f);
  const before = readFileSync(path, 'utf8');
  // The glue is an ES module; the Service Worker and the popup relay are classic scripts.
  const module = f !== 'sw.js' && f !== 'relay.js';
  const { code } = await terser.minify(before, { module, compress: { passes: 2 }, mangle: true, format: { comments: false } });
  writeFileSync(path, code);
  if (module) updateIntegrity(f, Buffer.from(code));
  console.log(`post-build: ${f}: ${before.length} -> ${code.length} bytes (minified)`);
}

// CSS: comments and layout whitespace removed (the stylesheet has no strings or urls in which
// spaces matter).
for (const f of readdirSync(dir).filter((n) => n.endsWith('.css'))) {
  const path = join(dir, f);
  const before = readFileSync(path, 'utf8');
  const after = before
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{}:;,>])\s*/g, '$1')
    .replace(/;}/g, '}')
    .trim();
  writeFileSync(path, after);
  updateIntegrity(f, Buffer.from(after));
  console.log(`post-build: ${f}: ${before.length} -> ${after.length} bytes (minified)`);
}

// HTML: comments and the indentation between tags go (a line break between two tags is never
// content).
html = html.replace(/<!--[\s\S]*?-->/g, '').replace(/>\s*\n\s*</g, '><');

const hashes = [];
for (const m of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
  if (/\bsrc=/.test(m[0].slice(0, m[0].indexOf('>')))) continue;
  hashes.push(`'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
}
if (hashes.length === 0) {
  console.error('post-build: no inline loader script found in index.html');
  process.exit(1);
}

// The popup relay (relay.js, minified above) goes inline into callback.html and relay.html:
// a popup's callback page then runs it without a request of its own, and without waiting for
// one before the app's own page can go on.
const relayPath = join(dir, 'relay.js');
const relayCode = readFileSync(relayPath, 'utf8').trim();
const relayHash = `'sha256-${createHash('sha256').update(relayCode, 'utf8').digest('base64')}'`;
rmSync(relayPath);

// Providers are configured at run time, so connections go to any https origin, and to
// loopback for a local provider. Nothing else is allowed.
// (Chromium rejects IPv6 literals such as http://[::1]:* in CSP source lists.)
const local = 'http://127.0.0.1:* http://localhost:*';
const cspWith = (scripts) =>
  [
    "default-src 'none'",
    `script-src 'self' 'wasm-unsafe-eval' ${scripts.join(' ')}`,
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' https: ${local}`,
    `form-action 'self' https: ${local}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "base-uri 'self'",
    "object-src 'none'",
  ].join('; ');

if (html.includes('http-equiv="Content-Security-Policy"')) {
  html = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
}
const withPolicy = (page, scripts) => page.replace('<meta charset="utf-8" />', `<meta charset="utf-8" />\n    <meta http-equiv="Content-Security-Policy" content="${cspWith(scripts)}" />`);
const index = withPolicy(html, hashes);
if (!index.includes('Content-Security-Policy')) {
  console.error('post-build: could not insert the CSP meta tag');
  process.exit(1);
}
writeFileSync(indexPath, index);
// callback.html: the same page, with the popup relay as its first script. For a popup login's
// answer the relay stops the page before the app loads and hands the answer over; any other
// answer is left to the app.
const relayTag = `<script>${relayCode}</script>`;
const withCsp = /(<meta http-equiv="Content-Security-Policy"[^>]*>)/;
writeFileSync(join(dir, 'callback.html'), withPolicy(html, [relayHash, ...hashes]).replace(withCsp, `$1${relayTag}`));
// relay.html: what the Service Worker answers a popup login's form_post with; only the relay.
const relayCsp = `default-src 'none'; script-src ${relayHash}; base-uri 'none'; form-action 'none'; object-src 'none'`;
writeFileSync(
  join(dir, 'relay.html'),
  `<!doctype html><html lang="en" data-flowlab-relay><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${relayCsp}"><meta name="referrer" content="no-referrer"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Flowlab: signing in</title>${relayTag}</head><body><p id="relay-status" role="status">Handing the answer to Flowlab\u2026</p></body></html>`,
);
console.log(`post-build: CSP with ${hashes.length} script hash(es); callback.html and relay.html written`);
