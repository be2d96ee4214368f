// The server under test, in its own process so the load generator does not share its CPU time.
import { readConfig, startServer } from '../src/index.js';

const { app } = await startServer(readConfig());
app.log.level = 'warn';
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  app.close().then(() => process.exit(0), () => process.exit(1));
});
