// The server under test, in its own process so the load generator does not share its CPU time.
import { readConfig, startServer } from '../src/index.js';

// BENCH_UNGUARDED=1: the same server without access checks and audit entries (the overhead suite's baseline).
const { app } = await startServer(readConfig(), { measurementWithoutGuards: process.env.BENCH_UNGUARDED === '1' });
app.log.level = 'warn';
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  app.close().then(() => process.exit(0), () => process.exit(1));
});
