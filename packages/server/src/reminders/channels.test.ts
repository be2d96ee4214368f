import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSmsChannel } from './channels.js';

/** A local stand-in for an SMS provider's HTTP API: it keeps what it is sent, and fails when told to. */
let server: Server;
let url: string;
const received: { headers: IncomingMessage['headers']; body: unknown }[] = [];
let failNext = false;

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      if (failNext) {
        failNext = false;
        response.writeHead(503).end();
        return;
      }
      received.push({ headers: request.headers, body: JSON.parse(text) });
      response.writeHead(202, { 'content-type': 'application/json' }).end('{"queued":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/messages`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the HTTP SMS channel', () => {
  it('posts the text with the bearer token and the message id as idempotency key', async () => {
    await new HttpSmsChannel(url, 'provider-token').send({ id: 'job-1', to: '+15550100', subject: 'Clinic: appointment Tuesday 9:00 AM.', text: 'Confirm or cancel: https://clinic.test/r/x' });
    expect(received).toHaveLength(1);
    expect(received[0]!.headers.authorization).toBe('Bearer provider-token');
    expect(received[0]!.headers['idempotency-key']).toBe('job-1');
    expect(received[0]!.body).toEqual({ id: 'job-1', to: '+15550100', body: 'Clinic: appointment Tuesday 9:00 AM.\nConfirm or cancel: https://clinic.test/r/x' });
  });

  it('fails (so the job is retried) when the provider refuses', async () => {
    failNext = true;
    await expect(new HttpSmsChannel(url, undefined).send({ id: 'job-2', to: '+15550100', subject: 's', text: 't' })).rejects.toThrow('503');
  });
});
