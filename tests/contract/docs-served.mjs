// docs-served.mjs TUTORD SPEC DB_URL_FILE — starts tutord (against the db fixture's database) and
// checks GET /docs and GET /docs/redoc.standalone.js: the page loads the contract with the bundle,
// the bundle is the one npm installed, a missing bundle is a 404 problem naming the fix, and every
// response matches openapi.yaml.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkExchange, loadContract } from './contract.mjs';

const [tutord, specPath, urlFile] = process.argv.slice(2);
const contract = loadContract(specPath);
const bundle = new URL('./node_modules/redoc/bundles/redoc.standalone.js', import.meta.url).pathname;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function start(extraEnv) {
  const port = await freePort();
  const env = { ...process.env, TUTORD_DATABASE_URL: readFileSync(urlFile, 'utf8').trim(), TUTORD_PORT: String(port),
    TUTORD_LISTEN: '127.0.0.1', TUTORD_JWT_SECRET: 'docs-test-secret-0123456789abcdef0123456789', TUTORD_LOG_LEVEL: 'warn',
    ...extraEnv };
  const child = spawn(tutord, ['serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { child, base };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  throw new Error('tutord did not answer /healthz within 10 s');
}

async function get(base, path) {
  const resp = await fetch(base + path);
  const body = Buffer.from(await resp.arrayBuffer());
  const ex = { method: 'GET', path, status: resp.status, content_type: resp.headers.get('content-type') ?? '',
    body: body.toString('utf8') };
  const { errors } = checkExchange(contract, ex);
  assert.deepEqual(errors, [], `GET ${path} does not match openapi.yaml`);
  return { ...ex, bytes: body.length };
}

async function stop(child) {
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

const served = await start({ TUTORD_DOCS_DIR: new URL('./node_modules/redoc/bundles', import.meta.url).pathname });
try {
  const page = await get(served.base, '/docs');
  assert.equal(page.status, 200);
  assert.match(page.content_type, /^text\/html/);
  assert.match(page.body, /<redoc spec-url="\/openapi\.yaml">/);
  assert.match(page.body, /<script src="\/docs\/redoc\.standalone\.js">/);
  const js = await get(served.base, '/docs/redoc.standalone.js');
  assert.equal(js.status, 200);
  assert.match(js.content_type, /^text\/javascript/);
  assert.equal(js.bytes, statSync(bundle).size, 'the bundle served is the one npm installed');
  const spec = await get(served.base, '/openapi.yaml');
  assert.equal(spec.status, 200);
  assert.equal(spec.body, readFileSync(specPath, 'utf8'), 'the contract served is openapi.yaml as built');
} finally {
  await stop(served.child);
}

const missing = await start({ TUTORD_DOCS_DIR: mkdtempSync(join(tmpdir(), 'tutord-no-docs-')) });
try {
  const js = await get(missing.base, '/docs/redoc.standalone.js');
  assert.equal(js.status, 404);
  assert.match(JSON.parse(js.body).detail, /npm ci/);
} finally {
  await stop(missing.child);
}
console.log('/docs, its renderer and /openapi.yaml are served as the contract says');
