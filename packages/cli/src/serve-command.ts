import { readConfig, startServer } from '@unichart/server';

export async function serveCommand(): Promise<void> {
  const { app } = await startServer(readConfig());
  const stop = (): void => {
    app.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
