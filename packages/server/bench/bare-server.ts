// The ceiling: Fastify + pg storing and returning JSON, with no validation, indexing,
// history or access checks. Every figure is also printed as a ratio of this one.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 16 });
await pool.query('CREATE TABLE IF NOT EXISTS bare_resource (id text PRIMARY KEY, content jsonb NOT NULL)');
const app = Fastify();
app.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
app.post('/fhir/R4/:type', async (request, reply) => {
  const id = randomUUID();
  const resource = { ...(request.body as object), id };
  await pool.query('INSERT INTO bare_resource (id, content) VALUES ($1, $2)', [id, JSON.stringify(resource)]);
  return reply.code(201).send(resource);
});
app.get('/fhir/R4/:type/:id', async (request, reply) => {
  const { rows } = await pool.query('SELECT content::text AS content FROM bare_resource WHERE id = $1', [(request.params as { id: string }).id]);
  if (!rows[0]) return reply.code(404).send();
  return reply.type('application/fhir+json').send(rows[0].content);
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  app.close().then(() => pool.end()).then(() => process.exit(0), () => process.exit(1));
});
