import { access } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Paths the API owns: the web app's client routes never start with these. */
const API_PREFIXES = ['/fhir', '/auth', '/admin', '/oauth2', '/.well-known', '/healthz'];

/**
 * The web app may load only its own scripts and call only its own origin. Mantine sets inline
 * style attributes and one <style> element for its CSS variables, hence 'unsafe-inline' for styles.
 */
const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** `path` without its query string. */
export function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** True when the folder holds a built web app (packages/web/dist after `npm ci`). */
export async function hasWebBuild(root: string): Promise<boolean> {
  try {
    await access(join(root, 'index.html'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Serves the built web app at `/`: hashed assets cached for a year, index.html never cached,
 * and any other GET outside the API answered with index.html so client routes survive a reload.
 * Returns the handler the not-found boundary calls for paths no route matched.
 */
export async function registerWebApp(app: FastifyInstance, root: string): Promise<(request: FastifyRequest, reply: FastifyReply) => boolean> {
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // Only the files present at start are routes: the API's own routes and 404s stay untouched.
    wildcard: false,
    index: false,
    cacheControl: false,
    // @fastify/static 10 hands the Fastify reply to setHeaders.
    setHeaders: (reply: unknown, path: string) => {
      const headers = reply as FastifyReply;
      headers.header('content-security-policy', WEB_CSP);
      // Vite puts a content hash in every asset's name: a changed file is a new URL.
      headers.header('cache-control', path.startsWith(join(root, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const sendIndex = (reply: FastifyReply) => reply.header('content-security-policy', WEB_CSP).header('cache-control', 'no-cache').sendFile('index.html');
  app.get('/', (_request, reply) => sendIndex(reply));
  return (request, reply) => {
    const path = request.url.split('?')[0]!;
    const wantsPage = (request.method === 'GET' || request.method === 'HEAD') && !isApiPath(path) && !/\.[a-z0-9]+$/i.test(path);
    if (!wantsPage) return false;
    void sendIndex(reply);
    return true;
  };
}
