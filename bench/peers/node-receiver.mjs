// The do-it-yourself peer: what a first webhook receiver in Node.js looks
// like. http.createServer, collect the body, JSON.parse, append each event as
// one JSON line to a file, answer 200.
//
// It does NOT fsync: a 200 here means "handed to the page cache", not
// "durable" — unlike mailpulse, whose 200 means fsync'd. Skipping fsync
// flatters this peer; the benchmark says so next to its numbers.
// No dedupe, no signature check, one process (Node's event loop, one core).
//
// Usage: node node-receiver.mjs PORT OUT_FILE
import http from 'node:http';
import fs from 'node:fs';

const port = Number(process.argv[2] || 8090);
const outPath = process.argv[3] || 'events.jsonl';
const fd = fs.openSync(outPath, 'a');

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let events;
    try {
      events = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end('{"error":"body is not JSON"}');
      return;
    }
    if (!Array.isArray(events)) {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end('{"error":"body is not a JSON array"}');
      return;
    }
    let lines = '';
    for (const e of events) lines += JSON.stringify(e) + '\n';
    fs.appendFileSync(fd, lines);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(`{"accepted":${events.length},"duplicates":0,"rejected":0}`);
  });
});
server.keepAliveTimeout = 60000;
server.listen(port, '127.0.0.1', () => console.log(`node-receiver listening on http://127.0.0.1:${port}`));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { fs.closeSync(fd); process.exit(0); });
