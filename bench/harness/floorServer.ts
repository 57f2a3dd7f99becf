/**
 * The HTTP floor: a bare Fastify server (no logging, no validation, no database) that parses the JSON
 * body of `POST /v1/screenings` and answers a constant — a real screening answer captured from erx, so
 * both servers send the same bytes. Started by the bench as `node floorServer.js FILE`, where FILE
 * holds the answer; prints `listening on URL` like the erx services.
 */
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const answer = file ? readFileSync(file, 'utf8') : '{"decision":"clear","reasons":[]}';
const app = Fastify({ logger: false });
app.post('/v1/screenings', async (_req, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(answer));
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening on ${url}\n`);
const stop = () => void app.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
