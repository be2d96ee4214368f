import { openConfiguredDatabase, readConfig } from '@unichart/server';

export async function migrateCommand(): Promise<void> {
  const db = await openConfiguredDatabase(readConfig());
  await db.close();
  process.stdout.write('Database schema is up to date.\n');
}
