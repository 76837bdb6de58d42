// The SigV4 cases the C++ signer is tested against (tests/data/sigv4/sdk_cases.json)
// must still be what the installed AWS SDK for JavaScript produces: regenerate
// them with tests/tools/gen-sigv4-cases.mjs and compare with the committed file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('committed SigV4 SDK cases match the installed AWS SDK signer', () => {
  const generated = execFileSync(process.execPath, [path.join(root, 'tests/tools/gen-sigv4-cases.mjs')],
    { encoding: 'utf8' });
  const committed = readFileSync(path.join(root, 'tests/data/sigv4/sdk_cases.json'), 'utf8');
  const want = JSON.parse(committed);
  const got = JSON.parse(generated);
  assert.equal(got.cases.length, 9);
  assert.deepEqual(got, want);
});
