/** The register's HTTP API (../shared/CONTRACT.md). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ErxError, NotFound } from '../shared/errors.js';
import { parse } from '../shared/http.js';
import { firstError, issueSchema, liftSchema, personSchema, serviceSchema } from './schemas.js';
import type { RegisterService } from './service.js';

export const MAX_IMPORT_BATCH = 2000;

const idParam = z.object({ id: z.string().min(1).max(64) });
const importBody = z.object({
  persons: z.array(z.unknown()).min(1, 'must hold at least one person').max(MAX_IMPORT_BATCH, `must hold at most ${MAX_IMPORT_BATCH} persons`),
});

export type ImportItemResult = { ok: true; changes: number } | { ok: false; error: string; field?: string };

export function registerRegisterRoutes(app: FastifyInstance, service: RegisterService): void {
  const store = service.store;

  app.post('/v1/persons', async (req, reply) => {
    const input = parse(personSchema, req.body);
    const result = await service.upsertPerson(input);
    return reply.status(200).send({ personId: input.personId, changes: result.changes });
  });

  app.get('/v1/persons/:id', async (req) => {
    const { id } = parse(idParam, req.params);
    const person = await store.getPerson(id);
    if (!person) throw new NotFound(`person ${id} is not in the register`, 'id');
    return { ...person, restrictions: await store.restrictionsOf(id) };
  });

  app.post('/v1/restrictions', async (req, reply) => {
    const input = parse(issueSchema, req.body);
    const result = await service.issue(input);
    return reply.status(result.created ? 201 : 200).send({
      restriction: await store.getRestriction(input.restrictionId),
      changes: result.changes,
    });
  });

  app.get('/v1/restrictions/:id', async (req) => {
    const { id } = parse(idParam, req.params);
    const restriction = await store.getRestriction(id);
    if (!restriction) throw new NotFound(`restriction ${id} is not in the register`, 'id');
    return restriction;
  });

  app.post('/v1/restrictions/:id/service', async (req) => {
    const { id } = parse(idParam, req.params);
    const body = parse(serviceSchema, req.body);
    return service.recordService(id, body.servedAt, body.serviceChannel);
  });

  app.post('/v1/restrictions/:id/lift', async (req) => {
    const { id } = parse(idParam, req.params);
    const body = parse(liftSchema, req.body);
    return service.lift(id, body.liftedAt, body.liftReason);
  });

  /** Bulk load used by `erx register import --register URL`: one result per person, in order. */
  app.post('/v1/import', { bodyLimit: 32 * 1024 * 1024 }, async (req) => {
    const { persons } = parse(importBody, req.body);
    const results: ImportItemResult[] = new Array(persons.length);
    const valid: { index: number; input: z.output<typeof personSchema> }[] = [];
    persons.forEach((raw, index) => {
      const parsed = personSchema.safeParse(raw);
      if (parsed.success) valid.push({ index, input: parsed.data });
      else results[index] = { ok: false, ...firstError(parsed.error) };
    });
    const written = valid.length > 0 ? await service.upsertPersons(valid.map((v) => v.input)) : [];
    written.forEach((outcome, i) => {
      const index = valid[i]!.index;
      results[index] =
        outcome instanceof ErxError
          ? { ok: false, error: outcome.message, ...(outcome.field ? { field: outcome.field } : {}) }
          : { ok: true, changes: outcome.changes.length };
    });
    return { results };
  });

  app.get('/v1/register/status', async () => ({ registerSeq: await store.headSeq(), time: new Date().toISOString() }));
}
