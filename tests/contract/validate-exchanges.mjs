// validate-exchanges.mjs SPEC LOG — checks every exchange the API tests recorded (JSON lines:
// method, path, status, content_type, body) against the contract: the operation exists for the
// method and path, the status is declared for it, the Content-Type is one it declares, and the body
// matches that schema. Exits 1 on any mismatch, and when the log is missing or empty (so it never
// passes without having checked anything).
import { existsSync, readFileSync } from 'node:fs';
import { checkExchange, loadContract, operationsOf } from './contract.mjs';

function main([specPath, logPath]) {
  if (!specPath || !logPath) {
    console.error('usage: validate-exchanges.mjs SPEC LOG');
    return 2;
  }
  if (!existsSync(logPath)) {
    console.error(`no exchange log at ${logPath}: run the api_* tests first`);
    return 1;
  }
  const lines = readFileSync(logPath, 'utf8').split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) {
    console.error(`the exchange log ${logPath} is empty: run the api_* tests first`);
    return 1;
  }
  const contract = loadContract(specPath);
  const covered = new Set();
  let failures = 0;
  lines.forEach((line, i) => {
    let ex;
    try {
      ex = JSON.parse(line);
    } catch (e) {
      console.error(`line ${i + 1}: not JSON: ${e.message}`);
      failures++;
      return;
    }
    const { op, errors } = checkExchange(contract, ex);
    if (op) covered.add(op);
    if (errors.length === 0) return;
    failures++;
    console.error(`line ${i + 1}: ${ex.method} ${ex.path} → ${ex.status} ${ex.content_type}`);
    for (const e of errors) console.error(`    ${e}`);
    if (failures <= 50) console.error(`    body: ${String(ex.body).slice(0, 300)}`);
  });
  const all = operationsOf(contract);
  const unexercised = all.filter((o) => !covered.has(o));
  console.log(`validated ${lines.length} exchanges against ${all.length} operations ` +
    `(${covered.size} exercised); ${failures} mismatched`);
  if (unexercised.length) console.log(`operations no API test exercised: ${unexercised.join(', ')}`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
