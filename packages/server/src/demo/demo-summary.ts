import type { DemoLoadResult } from './load-demo.js';
import { DEMO_PASSWORD } from './load-demo.js';

const ROLE_LABELS: Record<string, string> = { 'front-desk': 'front desk', physician: 'physician', nurse: 'nurse', biller: 'biller', patient: 'patient portal' };

/** The lines a first start prints under the administrator's (and `unichart demo` prints): what was loaded and how to sign in. */
export function describeDemo(result: Extract<DemoLoadResult, { status: 'loaded' }>, on: 'first-start' | 'command' = 'first-start'): string {
  const width = Math.max(...result.accounts.map((a) => ROLE_LABELS[a.role]!.length));
  return [
    `Demo practice loaded: ${result.patients} patients, ${result.appointments} appointments this week and next (${result.resources} resources in ${(result.milliseconds / 1000).toFixed(1)} s${on === 'first-start' ? ';' : ').'}`,
    ...(on === 'first-start' ? ["the patients' histories load in the background). Turn this off with UNICHART_DEMO=0 before the first start."] : []),
    `Demo sign-ins, all with the password ${DEMO_PASSWORD}:`,
    ...result.accounts.map((a) => `  ${ROLE_LABELS[a.role]!.padEnd(width)}  ${a.email}`),
    '',
  ].join('\n');
}
