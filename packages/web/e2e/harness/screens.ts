import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import AxeBuilder from '@axe-core/playwright';
import type { Page, Response } from 'playwright-core';

/** Saves numbered screenshots of each step, so a failed run can be read as a story. */
export class StepShots {
  private count = 0;

  constructor(private readonly dir: string) {}

  async shot(page: Page, step: string): Promise<string> {
    this.count += 1;
    const file = join(this.dir, `${String(this.count).padStart(2, '0')}-${step}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  }
}

const BLOCKING = new Set(['serious', 'critical']);

/**
 * Runs axe (WCAG 2.1 A and AA rules) on the screen as it is; writes the full report beside the
 * screenshots and fails on any serious or critical violation, naming each with its elements.
 */
export async function checkAccessibility(page: Page, dir: string, screen: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  await writeFile(join(dir, `axe-${screen}.json`), JSON.stringify(result.violations, null, 2));
  const blocking = result.violations.filter((v) => BLOCKING.has(v.impact ?? ''));
  if (blocking.length > 0) {
    const lines = blocking.map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.replace(/\n/g, ' ')}`).join('\n')}`);
    throw new Error(`Accessibility (axe) on the ${screen} screen:\n  ${lines.join('\n  ')}`);
  }
}

/**
 * Counts the JavaScript a page loads, gzipped, from the moment this is called until `stop()`:
 * what a person waits for before the screen works.
 */
export function measureScripts(page: Page): { stop(): Promise<{ files: number; bytes: number; gzipBytes: number }> } {
  const responses: Response[] = [];
  const onResponse = (response: Response) => {
    if (response.request().resourceType() === 'script') responses.push(response);
  };
  page.on('response', onResponse);
  return {
    async stop() {
      page.off('response', onResponse);
      const bodies = await Promise.all(responses.map((r) => r.body()));
      return {
        files: bodies.length,
        bytes: bodies.reduce((sum, body) => sum + body.length, 0),
        gzipBytes: bodies.reduce((sum, body) => sum + gzipSync(body, { level: 9 }).length, 0),
      };
    },
  };
}

/** One JSON line per figure, as `npm run bench` prints them. */
export function printFigure(figure: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(figure)}\n`);
}
