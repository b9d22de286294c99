// Trunk post-build hook: runs in the staging directory before it becomes dist/.
//  0. Optimises the wasm with wasm-opt (binaryen) for size, strips its "name" and "producers"
//     custom sections (a third of its raw size) and updates the preload link's integrity hash.
//     Trunk's own wasm-opt step is off: it runs binaryen without naming the wasm features, and
//     Debian's binaryen 108 then points the externref table export at the funcref table, which
//     breaks start-up. Named explicitly here, the features survive; about 3 KB gzipped saved.
//  0a. Drops the exports (and glue classes) of Leptos's unused streaming adapters: 1.7 KiB.
//  0b. Minifies the JavaScript (wasm-bindgen's glue and the Service Worker) with terser from the
//     test packages (about 2.7 KB gzipped saved), and updates the glue's integrity hash.
//  1. A strict Content-Security-Policy as a <meta> tag, so it holds on any static host. Trunk
//     writes an inline <script type="module"> loader; the policy allows exactly that script by its
//     SHA-256 hash, and no other inline script.
//  2. callback.html: the same page (so the redirect URI works on hosts without SPA fallback), with
//     the popup relay (relay.js) as its first script; relay.html for a popup's form_post.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

function uleb(buf, pos) {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos];
    pos += 1;
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [result, pos];
  }
}

/** Drops the named custom sections of a wasm module; everything else is copied byte for byte. */
function stripCustomSections(buf, names) {
  if (buf.readUInt32LE(0) !== 0x6d736100) throw new Error('not a wasm module');
  const parts = [buf.subarray(0, 8)];
  let pos = 8;
  while (pos < buf.length) {
    const start = pos;
    const id = buf[pos];
    const [size, body] = uleb(buf, pos + 1);
    const end = body + size;
    let keep = true;
    if (id === 0) {
      const [len, at] = uleb(buf, body);
      keep = !names.includes(buf.subarray(at, at + len).toString('utf8'));
    }
    if (keep) parts.push(buf.subarray(start, end));
    pos = end;
  }
  return Buffer.concat(parts);
}

/**
 * Binaryen 108 writes the export of wasm-bindgen's externref table with the index of the funcref
 * table. This points every exported table named __wbindgen_externrefs back at the module's one
 * externref table, and fails loudly if the module is not shaped as expected.
 */
function fixExternrefExport(buf) {
  const sections = new Map();
  let pos = 8;
  while (pos < buf.length) {
    const id = buf[pos];
    const [size, body] = uleb(buf, pos + 1);
    if (id !== 0) sections.set(id, body);
    pos = body + size;
  }
  const types = [];
  if (sections.has(2)) {
    let [n, p] = uleb(buf, sections.get(2));
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < 2; k++) {
        const [len, at] = uleb(buf, p);
        p = at + len;
      }
      const kind = buf[p];
      p += 1;
      if (kind === 0) [, p] = uleb(buf, p);
      else if (kind === 1 || kind === 2) {
        if (kind === 1) types.push(buf[p]);
        const flags = buf[p + (kind === 1 ? 1 : 0)];
        [, p] = uleb(buf, p + (kind === 1 ? 2 : 1));
        if (flags & 1) [, p] = uleb(buf, p);
      } else if (kind === 3) p += 2;
      else throw new Error(`post-build: unknown import kind ${kind}`);
    }
  }
  if (sections.has(4)) {
    let [n, p] = uleb(buf, sections.get(4));
    for (let i = 0; i < n; i++) {
      types.push(buf[p]);
      const flags = buf[p + 1];
      [, p] = uleb(buf, p + 2);
      if (flags & 1) [, p] = uleb(buf, p);
    }
  }
  const externref = types.flatMap((t, i) => (t === 0x6f ? [i] : []));
  let [n, p] = uleb(buf, sections.get(7));
  for (let i = 0; i < n; i++) {
    const [len, at] = uleb(buf, p);
    const name = buf.subarray(at, at + len).toString('utf8');
    const kind = buf[at + len];
    const [index, next] = uleb(buf, at + len + 1);
    if (kind === 1 && name === '__wbindgen_externrefs' && types[index] !== 0x6f) {
      if (externref.length !== 1 || next - (at + len + 1) !== 1 || externref[0] > 0x7f) {
        throw new Error('post-build: cannot repoint the externref table export');
      }
      buf[at + len + 1] = externref[0];
    }
    p = next;
  }
  return buf;
}

/** Encodes an unsigned LEB128 number. */
function ulebBytes(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}

/**
 * Leptos always builds its server-function client, whose streaming adapters (wasm-streams'
 * IntoUnderlyingSource, IntoUnderlyingSink, IntoUnderlyingByteSource) are wasm exports with
 * JavaScript classes, though a client-side app never uses them. Exported, they survive every
 * optimiser. This drops their exports (wasm-opt then removes the code behind them) and their
 * classes in the glue. Returns null when the module is not shaped as expected, and the caller
 * keeps it as it is.
 */
const UNUSED_EXPORTS = /^(__wbg_)?intounderlying(bytesource|sink|source)_/;
function dropExports(buf) {
  let pos = 8;
  while (pos < buf.length) {
    const id = buf[pos];
    const [size, body] = uleb(buf, pos + 1);
    if (id === 7) {
      let [n, p] = uleb(buf, body);
      const kept = [];
      for (let i = 0; i < n; i++) {
        const start = p;
        const [len, at] = uleb(buf, p);
        const name = buf.subarray(at, at + len).toString('utf8');
        [, p] = uleb(buf, at + len + 1);
        if (!UNUSED_EXPORTS.test(name)) kept.push(buf.subarray(start, p));
      }
      if (p !== body + size) return null;
      const section = Buffer.concat([ulebBytes(kept.length), ...kept]);
      return Buffer.concat([buf.subarray(0, pos), Buffer.from([7]), ulebBytes(section.length), section, buf.subarray(body + size)]);
    }
    pos = body + size;
  }
  return null;
}

/** The glue without the classes of the dropped exports; null if it is not shaped as expected. */
function dropClasses(js) {
  const out = js
    .replace(/export class IntoUnderlying(ByteSource|Sink|Source) \{[\s\S]*?\n\}\nif \(Symbol\.dispose\) IntoUnderlying\1\.prototype\[Symbol\.dispose\] = IntoUnderlying\1\.prototype\.free;\n/g, '')
    .replace(/const IntoUnderlying(ByteSource|Sink|Source)Finalization = [^;]*;\n/g, '');
  return /IntoUnderlying|intounderlying/.test(out) ? null : out;
}

/** Points the integrity attribute of the tag that loads `file` at its new bytes. */
function updateIntegrity(file, bytes) {
  const integrity = `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
  const tag = new RegExp(`(href="[^"]*${file.replace(/[.]/g, '\\.')}"[^>]*integrity=")[^"]*(")`);
  if (!tag.test(html)) throw new Error(`post-build: no tag with integrity loads ${file}`);
  html = html.replace(tag, `$1${integrity}$2`);
}

const WASM_FEATURES = ['reference-types', 'bulk-memory', 'mutable-globals', 'nontrapping-float-to-int', 'sign-ext', 'multivalue'];

for (const f of readdirSync(dir).filter((n) => n.endsWith('.wasm'))) {
  const path = join(dir, f);
  const before = readFileSync(path);
  const glue = join(dir, f.replace(/_bg\.wasm$/, '.js'));
  const slim = dropExports(before);
  const slimGlue = slim && dropClasses(readFileSync(glue, 'utf8'));
  if (slim && slimGlue) {
    writeFileSync(path, slim);
    writeFileSync(glue, slimGlue);
  } else {
    console.warn('post-build: the unused streaming exports were not found as expected; the module keeps them');
  }
  if (process.env.FLOWLAB_WASM_OPT !== '0') {
    try {
      // -O2, then the size pipeline over its output: smaller gzipped than either alone (measured).
      execFileSync('wasm-opt', [path, '-O2', '-Os', ...WASM_FEATURES.map((x) => `--enable-${x}`), '-o', path], { stdio: 'inherit' });
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
      console.warn('post-build: wasm-opt (binaryen) is not installed: the wasm is not optimised (scripts/setup.sh installs it)');
    }
  }
  const after = stripCustomSections(fixExternrefExport(readFileSync(path)), ['name', 'producers']);
  writeFileSync(path, after);
  updateIntegrity(f, after);
  console.log(`post-build: ${f}: ${before.length} -> ${after.length} bytes (name and producers sections removed)`);
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

// Providers are configured at run time, so connections go to any https origin, and to
// loopback for a local provider. Nothing else is allowed.
// (Chromium rejects IPv6 literals such as http://[::1]:* in CSP source lists.)
const local = 'http://127.0.0.1:* http://localhost:*';
const csp = [
  "default-src 'none'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`,
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
html = html.replace('<meta charset="utf-8" />', `<meta charset="utf-8" />\n    <meta http-equiv="Content-Security-Policy" content="${csp}" />`);
if (!html.includes('Content-Security-Policy')) {
  console.error('post-build: could not insert the CSP meta tag');
  process.exit(1);
}
writeFileSync(indexPath, html);
// callback.html: the same page, with the popup relay as its first script. For a popup login's
// answer the relay stops the page before the app loads and hands the answer over; any other
// answer is left to the app.
const relayTag = '<script src="relay.js"></script>';
const withCsp = /(<meta http-equiv="Content-Security-Policy"[^>]*>)/;
writeFileSync(join(dir, 'callback.html'), html.replace(withCsp, `$1${relayTag}`));
// relay.html: what the Service Worker answers a popup login's form_post with; only the relay.
const relayCsp = "default-src 'none'; script-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'";
writeFileSync(
  join(dir, 'relay.html'),
  `<!doctype html><html lang="en" data-flowlab-relay><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${relayCsp}"><meta name="referrer" content="no-referrer"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Flowlab: signing in</title>${relayTag}</head><body><p id="relay-status" role="status">Handing the answer to Flowlab\u2026</p></body></html>`,
);
console.log(`post-build: CSP with ${hashes.length} script hash(es); callback.html and relay.html written`);
