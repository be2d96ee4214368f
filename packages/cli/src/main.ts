import { Command } from 'commander';
import { importCommand } from './import-command.js';
import { serveCommand } from './serve-command.js';
import { migrateCommand } from './migrate-command.js';
import { auditVerifyCommand } from './audit-verify-command.js';
import { demoCommand } from './demo-command.js';

const program = new Command('unichart').description('Unichart: EHR and practice management on one FHIR record');
program.command('serve').description('start the server (PORT, DATABASE_URL, UNICHART_DATA_DIR)').action(serveCommand);
program
  .command('import')
  .description('import FHIR Bundles, resources and NDJSON files or folders')
  .argument('<paths...>')
  .action(importCommand);
program.command('demo').description('load the demo practice (practitioners, patients with histories, this week\'s calendar, demo sign-ins) into an empty practice').action(demoCommand);
program.command('migrate').description('bring the database schema up to date and exit').action(migrateCommand);
const audit = program.command('audit').description('the audit trail');
audit.command('verify').description('check every practice\'s audit hash chain; exit 1 if anything was altered or removed').action(auditVerifyCommand);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`unichart: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
