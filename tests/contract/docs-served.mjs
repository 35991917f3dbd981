// docs-served.mjs TUTORD SPEC DB_URL_FILE BUNDLE — starts tutord (against the db fixture's database) and
// checks GET /docs and GET /docs/redoc.standalone.js: with TUTORD_DOCS_DIR unset, the page loads the
// contract with the bundle and the bundle is BUNDLE, the one the build fetched (share/tutord/docs beside
// the binary's folder); a missing bundle makes both a 503 problem naming the fix; every response
// matches openapi.yaml.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkExchange, loadContract } from './contract.mjs';

const [tutord, specPath, urlFile, bundle] = process.argv.slice(2);
const contract = loadContract(specPath);
assert.ok(existsSync(bundle), `${bundle} is missing: the build fetches it with npm (docs/CMakeLists.txt); was npm there?`);

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
  const env = { ...process.env };
  delete env.TUTORD_DOCS_DIR; // the default is what is tested
  Object.assign(env, { TUTORD_DATABASE_URL: readFileSync(urlFile, 'utf8').trim(), TUTORD_PORT: String(port),
    TUTORD_LISTEN: '127.0.0.1', TUTORD_JWT_SECRET: 'docs-test-secret-0123456789abcdef0123456789', TUTORD_LOG_LEVEL: 'warn',
    ...extraEnv });
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

const served = await start({});
try {
  const page = await get(served.base, '/docs');
  assert.equal(page.status, 200);
  assert.match(page.content_type, /^text\/html/);
  assert.match(page.body, /<redoc spec-url="\/openapi\.yaml">/);
  assert.match(page.body, /<script src="\/docs\/redoc\.standalone\.js">/);
  const js = await get(served.base, '/docs/redoc.standalone.js');
  assert.equal(js.status, 200);
  assert.match(js.content_type, /^text\/javascript/);
  assert.equal(js.bytes, statSync(bundle).size, 'the bundle served is the one the build fetched');
  const spec = await get(served.base, '/openapi.yaml');
  assert.equal(spec.status, 200);
  assert.equal(spec.body, readFileSync(specPath, 'utf8'), 'the contract served is openapi.yaml as built');
} finally {
  await stop(served.child);
}

const missing = await start({ TUTORD_DOCS_DIR: mkdtempSync(join(tmpdir(), 'tutord-no-docs-')) });
try {
  for (const path of ['/docs', '/docs/redoc.standalone.js']) {
    const res = await get(missing.base, path);
    assert.equal(res.status, 503, `${path} without the renderer`);
    assert.match(JSON.parse(res.body).detail, /redoc\.standalone\.js\) is not installed.*npm.*TUTORD_DOCS_DIR/);
  }
} finally {
  await stop(missing.child);
}
console.log('/docs, its renderer and /openapi.yaml are served as the contract says');
