// check-routes.mjs TUTORD SPEC — compares the routes the server registers (`tutord routes`,
// "METHOD /path/@var") with the operations in the spec ("METHOD /path/{var}"); exits 1 listing
// every route the spec lacks and every operation the server lacks.
import { execFileSync } from 'node:child_process';
import { loadContract, operationsOf } from './contract.mjs';

function serverRoutes(tutord) {
  const out = execFileSync(tutord, ['routes'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.split('\n').filter((l) => l.trim() !== '').map((line) => {
    const [method, path] = line.trim().split(/\s+/);
    return `${method.toUpperCase()} ${path.replace(/@([A-Za-z0-9_]+)/g, '{$1}')}`;
  });
}

function main([tutord, specPath]) {
  if (!tutord || !specPath) {
    console.error('usage: check-routes.mjs TUTORD SPEC');
    return 2;
  }
  const server = new Set(serverRoutes(tutord));
  const spec = new Set(operationsOf(loadContract(specPath)));
  if (server.size === 0) {
    console.error('tutord routes printed nothing');
    return 1;
  }
  const undocumented = [...server].filter((r) => !spec.has(r)).sort();
  const unserved = [...spec].filter((r) => !server.has(r)).sort();
  for (const r of undocumented) console.error(`served but not in openapi.yaml: ${r}`);
  for (const r of unserved) console.error(`in openapi.yaml but not served: ${r}`);
  console.log(`${server.size} routes served, ${spec.size} operations documented; ` +
    `${undocumented.length} undocumented, ${unserved.length} unserved`);
  return undocumented.length || unserved.length ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
