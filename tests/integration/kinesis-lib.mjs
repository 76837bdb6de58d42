// Helpers for the Kinesis tests and bench: a real kinesalite server (npm) on a
// free loopback port, the AWS SDK for JavaScript's Kinesis client pointed at
// it, and reading a stream back shard by shard with the SDK.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, ListShardsCommand,
  GetShardIteratorCommand, GetRecordsCommand, SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const here = path.dirname(fileURLToPath(import.meta.url));
const KINESALITE = path.resolve(here, '../../node_modules/kinesalite/cli.js');

// Dummy credentials: kinesalite checks that requests are signed, not the key.
export const AWS_ENV = { AWS_ACCESS_KEY_ID: 'AKIDKINESALITE', AWS_SECRET_ACCESS_KEY: 'kinesalite-secret', AWS_REGION: 'us-east-1' };
for (const [k, v] of Object.entries(AWS_ENV)) process.env[k] = v;

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Starts kinesalite; `dbPath` keeps its data on disk across a restart
// (LevelDB), otherwise it is in memory.
export async function startKinesalite({ port, dbPath } = {}) {
  port = port || await freePort();
  const args = [KINESALITE, '--port', String(port), '--createStreamMs', '0', '--deleteStreamMs', '0',
    '--updateStreamMs', '0', '--shardLimit', '50'];
  if (dbPath) args.push('--path', dbPath);
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kinesalite did not start:\n${log}`)), 15000);
    const onData = (d) => {
      log += d.toString();
      if (/Listening at/.test(log)) { clearTimeout(timer); resolve(); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`kinesalite exited ${code}:\n${log}`)); });
  });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    port, endpoint, proc,
    async stop() { proc.kill('SIGTERM'); await exited; },
  };
}

export function sdkClient(endpoint) {
  return new KinesisClient({
    endpoint, region: AWS_ENV.AWS_REGION,
    credentials: { accessKeyId: AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: AWS_ENV.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 3,
    // The Kinesis client defaults to HTTP/2 (for SubscribeToShard); kinesalite speaks HTTP/1.1.
    requestHandler: new NodeHttpHandler(),
  });
}

export async function waitActive(sdk, StreamName) {
  for (let i = 0; i < 200; i++) {
    const d = await sdk.send(new DescribeStreamSummaryCommand({ StreamName }));
    if (d.StreamDescriptionSummary.StreamStatus === 'ACTIVE') return d.StreamDescriptionSummary;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`stream ${StreamName} never became ACTIVE`);
}

export async function createStream(sdk, StreamName, ShardCount) {
  await sdk.send(new CreateStreamCommand({ StreamName, ShardCount }));
  return waitActive(sdk, StreamName);
}

export async function listShards(sdk, StreamName) {
  return (await sdk.send(new ListShardsCommand({ StreamName }))).Shards;
}

// Splits an open shard at the middle of its hash key range.
export async function splitShard(sdk, StreamName, shard) {
  const lo = BigInt(shard.HashKeyRange.StartingHashKey);
  const hi = BigInt(shard.HashKeyRange.EndingHashKey);
  const mid = lo + (hi - lo) / 2n + 1n;
  await sdk.send(new SplitShardCommand({ StreamName, ShardToSplit: shard.ShardId, NewStartingHashKey: mid.toString() }));
  return waitActive(sdk, StreamName);
}

// Every record of every shard (closed ones included), read with the SDK from
// TRIM_HORIZON: [{ shardId, seq, partitionKey, data (string) }].
export async function readAllWithSdk(sdk, StreamName) {
  const out = [];
  for (const shard of await listShards(sdk, StreamName)) {
    let it = (await sdk.send(new GetShardIteratorCommand({ StreamName, ShardId: shard.ShardId,
      ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    let empty = 0;
    while (it && empty < 2) {
      const r = await sdk.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10000 }));
      for (const rec of r.Records) {
        out.push({ shardId: shard.ShardId, seq: rec.SequenceNumber, partitionKey: rec.PartitionKey,
          data: Buffer.from(rec.Data).toString('utf8') });
      }
      empty = r.Records.length === 0 ? empty + 1 : 0;
      it = r.NextShardIterator;
    }
  }
  return out;
}
