import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); Playwright's own browser download is not used. */
export const CHROMIUM = process.env.UNICHART_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Headless Chromium as this machine can run it: as root (no sandbox), no GPU, and no background
 * networking (the closed network refuses Google's hosts at every start). Playwright starts it with
 * a fresh temporary profile (user-data-dir) of its own, removed when the browser closes; each
 * `browser.newContext()` is a separate, cookie- and storage-isolated session.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A page in a browser context of its own (its own cookies and storage: a second person), asking
 * for reduced motion so the app skips transitions and screenshots show settled screens.
 */
export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce', ...options });
  return context.newPage();
}
