// bench/kinesis/run.sh helper: runs kinesalite (in memory) on PORT until killed.
import { startKinesalite } from '../../tests/integration/kinesis-lib.mjs';

const k = await startKinesalite({ port: Number(process.argv[2]) });
console.log(`kinesalite at ${k.endpoint}`);
process.on('SIGTERM', async () => { await k.stop(); process.exit(0); });
