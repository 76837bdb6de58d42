// bench/kinesis/run.sh helper: creates STREAM (SHARDS shards) and STREAM-errors
// on a kinesalite at ENDPOINT with the AWS SDK for JavaScript; prints the
// records of STREAM when called with --count.
//   node bench/kinesis/create-stream.mjs ENDPOINT STREAM SHARDS
//   node bench/kinesis/create-stream.mjs ENDPOINT STREAM --count
import { sdkClient, createStream, readAllWithSdk } from '../../tests/integration/kinesis-lib.mjs';

const [endpoint, stream, shards] = process.argv.slice(2);
const sdk = sdkClient(endpoint);
if (shards === '--count') {
  console.log((await readAllWithSdk(sdk, stream)).length);
} else {
  await createStream(sdk, stream, Number(shards));
  await createStream(sdk, `${stream}-errors`, 1);
}
