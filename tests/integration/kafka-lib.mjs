// `mailpulse kafka-mock` as a child process: librdkafka's mock Kafka cluster
// on loopback TCP, with brokers taken down and up through its stdin.
import { spawn } from 'node:child_process';
import { BIN } from './lib.mjs';

export async function startKafkaMock({ brokers = 3, topic = 'events', partitions = 4 } = {}) {
  const proc = spawn(BIN, ['kafka-mock', '--brokers', String(brokers), '--topic', topic,
    '--partitions', String(partitions)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters = [];
  proc.stderr.on('data', (c) => { err += c.toString(); });
  proc.stdout.on('data', (c) => {
    out += c.toString();
    for (const w of [...waiters]) {
      if (w.test(out)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
    }
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const waitLine = (re, what) => new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`kafka-mock: no ${what} in 20 s:\n${out}\n${err}`)), 20000);
    const w = { test: (s) => re.test(s), resolve: () => { clearTimeout(t); resolve(); } };
    if (w.test(out)) w.resolve(); else waiters.push(w);
  });
  await waitLine(/^\S+\n/, 'bootstrap line');
  const bootstraps = out.split('\n')[0].trim();
  let commands = 0;
  return {
    bootstraps,
    log: () => err,
    // Sends `down N` / `up N` and resolves once the cluster applied it.
    async control(cmd) {
      commands += 1;
      const seen = commands;
      proc.stdin.write(`${cmd}\n`);
      await waitLine({ test: (s) => (s.match(/^ok /gm) || []).length >= seen }, `"ok ${cmd}"`);
    },
    async stop() { proc.kill('SIGTERM'); return exited; },
  };
}
