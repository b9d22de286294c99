// A plain static file server for dist/, standing in for any static host.
// It answers GET and HEAD only (POST gets 405, as most static hosts do), adds the headers a host
// should add (see README), and logs every request so tests can prove what did and did not reach it.
//
// Usage: node tests/serve.mjs [--dir dist] [--port 8080] [--base /] [--log file]
//        [--frame-ancestors 'http://host:port ...'] (the sites that may frame it; none by default)
// Prints "SERVE_READY <url>" when listening.
import { createServer } from 'node:http';
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const dir = resolve(args.dir || 'dist');
const port = Number(args.port || 8080);
let base = args.base || '/';
if (!base.startsWith('/')) base = `/${base}`;
if (!base.endsWith('/')) base = `${base}/`;
const logFile = args.log;
const frameAncestors = args['frame-ancestors'];

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

const securityHeaders = {
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

function log(line) {
  if (logFile) appendFileSync(logFile, `${line}\n`);
}

/** An HTML 404 page, as most static hosts send. */
function notFound(res) {
  res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end('<!doctype html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n');
}

const server = createServer((req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  log(`${req.method} ${url.pathname}${url.search}`);
  for (const [k, v] of Object.entries(securityHeaders)) res.setHeader(k, v);
  // Framing: refused, unless the sites that embed it are named (README, "Embedding").
  if (frameAncestors) res.setHeader('Content-Security-Policy', `frame-ancestors ${frameAncestors}`);
  else res.setHeader('X-Frame-Options', 'DENY');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' });
    res.end('405: a static host does not accept this method\n');
    return;
  }
  if (!url.pathname.startsWith(base)) {
    notFound(res);
    return;
  }
  let rel = decodeURIComponent(url.pathname.slice(base.length)) || 'index.html';
  if (rel.endsWith('/')) rel += 'index.html';
  const file = normalize(join(dir, rel));
  if (!file.startsWith(dir)) {
    res.writeHead(403);
    res.end();
    return;
  }
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    const body = readFileSync(file);
    const type = types[extname(file)] || 'application/octet-stream';
    const cache = type.startsWith('text/html') ? 'no-cache' : 'public, max-age=31536000, immutable';
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': cache });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    notFound(res);
  }
});

server.listen(port, '127.0.0.1', () => {
  console.log(`SERVE_READY http://127.0.0.1:${port}${base}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
