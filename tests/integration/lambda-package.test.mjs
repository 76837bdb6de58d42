// scripts/check-lambda-package.sh on tiny packages built here (a few
// compiler calls, no mailpulse build): it passes a package that only needs
// AL2023's glibc, and names what is wrong in broken ones. The real package is
// built and checked by `make lambda-package` (docs/aws.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHECK = path.join(ROOT, 'scripts', 'check-lambda-package.sh');
const CXX = process.env.CXX || 'c++';

function compile(dir, name, source, args = [], out = path.join(dir, name)) {
  const src = path.join(dir, `${name}.cc`);
  fs.writeFileSync(src, source);
  const r = spawnSync(CXX, ['-O1', '-o', out, src, ...args], { encoding: 'utf8' });
  return r.status === 0 ? out : null;
}

// files: { 'bootstrap': path, 'lib/x.so': path }, modes kept.
function makeZip(files) {
  const dir = tempDir('mailpulse-pkg-');
  const stage = path.join(dir, 'stage');
  for (const [name, from] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(stage, name)), { recursive: true });
    fs.copyFileSync(from, path.join(stage, name));
    fs.chmodSync(path.join(stage, name), fs.statSync(from).mode);
  }
  const zip = path.join(dir, 'package.zip');
  execFileSync('zip', ['-q', '-r', zip, '.'], { cwd: stage });
  return zip;
}

function check(zip) {
  const r = spawnSync(CHECK, [zip], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

const dir = tempDir('mailpulse-elf-');
const plain = compile(dir, 'plain', 'int main() { return 0; }\n');

test('a package that needs only glibc <= 2.34 passes', () => {
  assert.ok(plain, 'c++ works');
  const r = check(makeZip({ bootstrap: plain }));
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /OK/);
});

test('a bootstrap that is missing or not executable fails', () => {
  const noBootstrap = check(makeZip({ 'bin/tool': plain }));
  assert.equal(noBootstrap.code, 1);
  assert.match(noBootstrap.out, /no bootstrap/);
  const copy = path.join(dir, 'not-exec');
  fs.copyFileSync(plain, copy);
  fs.chmodSync(copy, 0o644);
  const notExec = check(makeZip({ bootstrap: copy }));
  assert.equal(notExec.code, 1);
  assert.match(notExec.out, /not executable/);
});

test('a library that is neither bundled nor AL2023 glibc fails, and passes once bundled', () => {
  const withZ = compile(dir, 'with-z', '#include <zlib.h>\nint main() { return zlibVersion()[0] == 0; }\n', ['-lz']);
  assert.ok(withZ, 'zlib development files are installed (scripts/deps.sh)');
  const r = check(makeZip({ bootstrap: withZ }));
  assert.equal(r.code, 1);
  assert.match(r.out, /needs libz\.so\.1/);
  const libz = execFileSync('sh', ['-c', `ldd ${withZ} | awk '$1 == "libz.so.1" {print $3}'`]).toString().trim();
  const ok = check(makeZip({ bootstrap: withZ, 'lib/libz.so.1': libz }));
  assert.equal(ok.code, 0, ok.out);
});

test('an ELF that needs a glibc symbol newer than 2.34 fails, naming it', (t) => {
  // arc4random is GLIBC_2.36; where the local glibc is older this cannot be built.
  const newer = compile(dir, 'newer', '#include <stdlib.h>\nint main() { return arc4random() == 7; }\n');
  if (!newer) return t.skip('the local glibc has no arc4random (older than 2.36)');
  const r = check(makeZip({ bootstrap: newer }));
  assert.equal(r.code, 1);
  assert.match(r.out, /requires GLIBC_2\.36 > GLIBC_2\.34 \(arc4random\)/);
  return undefined;
});

test('a newer glibc version passes only weak and defined by bin/mailpulse', (t) => {
  // A library calling arc4random (GLIBC_2.36), as Debian 12's libstdc++ does.
  const lib = compile(dir, 'librnd', '#include <stdlib.h>\nextern "C" unsigned rnd() { return arc4random(); }\n',
    ['-shared', '-fPIC', '-Wl,-soname,librnd.so'], path.join(dir, 'librnd.so'));
  if (!lib) return t.skip('the local glibc has no arc4random (older than 2.36)');
  const weaken = compile(dir, 'weaken', fs.readFileSync(path.join(ROOT, 'deploy', 'aws', 'bootstrap', 'weaken_glibc_versions.cc'), 'utf8'),
    ['-std=c++20']);
  assert.ok(weaken);
  const main = (defines) => compile(dir, defines ? 'main-defines' : 'main-plain',
    `#include <stdint.h>\nextern "C" unsigned rnd();\n${defines ? 'extern "C" uint32_t arc4random() noexcept { return 4; }\n' : ''}int main() { return rnd() == 7; }\n`,
    [`-L${dir}`, '-lrnd', '-Wl,--export-dynamic-symbol=arc4random']);
  const withDef = main(true);
  const withoutDef = main(false);

  // Not weak: refused.
  const strong = check(makeZip({ bootstrap: withDef, 'bin/mailpulse': withDef, 'lib/librnd.so': lib }));
  assert.equal(strong.code, 1, strong.out);
  assert.match(strong.out, /lib\/librnd\.so: requires GLIBC_2\.36/);

  // The package tool refuses to weaken a version whose symbols are not provided.
  const refused = spawnSync(weaken, ['2.34', '_dl_find_object', lib], { encoding: 'utf8' });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /needs arc4random/);
  const done = spawnSync(weaken, ['2.34', 'arc4random', lib], { encoding: 'utf8' });
  assert.equal(done.status, 0, done.stderr);

  const ok = check(makeZip({ bootstrap: withDef, 'bin/mailpulse': withDef, 'lib/librnd.so': lib }));
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, /GLIBC_2\.36 is weak; arc4random from bin\/mailpulse/);
  const missing = check(makeZip({ bootstrap: withoutDef, 'bin/mailpulse': withoutDef, 'lib/librnd.so': lib }));
  assert.equal(missing.code, 1, missing.out);
  assert.match(missing.out, /needs arc4random \(weak GLIBC_2\.36 > GLIBC_2\.34\) and bin\/mailpulse does not define it/);
  return undefined;
});
