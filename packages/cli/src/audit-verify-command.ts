import { AuditSealer, openConfiguredDatabase, readConfig, verifyAuditChains } from '@unichart/server';

export async function auditVerifyCommand(): Promise<void> {
  const db = await openConfiguredDatabase(readConfig());
  try {
    // Seal what the server had not sealed yet, so the check covers every event written so far.
    await new AuditSealer(db).sealAll();
    const { checked, problems } = await verifyAuditChains(db);
    process.stdout.write(`Checked ${checked} sealed audit events.\n`);
    for (const p of problems) {
      process.stdout.write(`  ✗ practice ${p.practiceId} position ${p.position ?? '?'}${p.eventId ? ` event ${p.eventId}` : ''}: ${p.problem} (${p.detail})\n`);
    }
    if (problems.length > 0) {
      process.stdout.write(`${problems.length} problem(s): the audit trail has been tampered with or has entries outside its chain.\n`);
      process.exitCode = 1;
    } else process.stdout.write('The audit trail is intact.\n');
  } finally {
    await db.close();
  }
}
