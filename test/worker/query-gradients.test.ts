import { COMPUTE_QUERY_GRADIENTS } from '../../src/domain/queue-name';
import { JobQueue } from '../../src/jobs/job-queue';
import { loadModelDirectory } from '../../src/model/model-directory.loader';
import { QueryVectorRepository } from '../../src/repositories/query-vector.repository';
import { ANSWER_SLACK_TOKENS, judgeAnswer, ModelAnswerService } from '../../src/services/model-answer.service';
import type { QueryInputData } from '../../src/domain/query-input';
import { GreedyDecoder } from '../../src/generation/greedy.decoder';
import { startWorker } from '../../src/worker/worker';
import { prepareQueryPlatform, type QueryPlatform, waitFor } from '../support/query-platform.fixture';
import { testBackends } from '../support/test-database';

jest.setTimeout(900_000);

const QUERIES: QueryInputData[] = [
  { externalId: 'w1', prompt: 'Velor: ', completion: 'Danu.', kind: 'FACTUAL', answerKeywords: ['Danu'] },
  { externalId: 'w2', prompt: 'Doc 5', completion: ': more', kind: 'OTHER' },
];

describe.each(testBackends())('compute-query-gradients jobs on %s', (kind) => {
  let p: QueryPlatform;
  let queue: JobQueue;

  beforeAll(async () => {
    p = await prepareQueryPlatform(kind);
    queue = new JobQueue(p.scratch.db, { pollingIntervalSeconds: 0.5 });
  });
  afterAll(async () => {
    await queue.stop();
    await p.services.jobQueue.stop();
    await p.scratch.drop();
  });

  it('stores the queries and queues one job under a deterministic id; nothing is computed before a worker runs', async () => {
    const { records, jobIds } = await p.services.queries.enqueue('tiny', p.factorSetId, [p.spaceId], QUERIES);
    expect(jobIds).toHaveLength(1);
    expect(records.map((r) => r.externalId)).toEqual(['w1', 'w2']);
    expect(records.map((r) => r.gradientJobId)).toEqual([jobIds[0], jobIds[0]]);
    expect(records.map((r) => [r.nats, r.modelAnswer, r.answeredCorrectly])).toEqual([
      [null, null, null],
      [null, null, null],
    ]);
    expect(await p.services.queries.gradientState(records[0]!, queue)).toEqual({ status: 'PENDING', error: null, jobId: jobIds[0] });
    const job = await queue.status(COMPUTE_QUERY_GRADIENTS, jobIds[0]!);
    expect(job?.state).toBe('created');

    // the same work again (the stored queries are returned as they are): the same job, nothing new queued
    const again = await p.services.queries.enqueue('tiny', p.factorSetId, [p.spaceId], QUERIES);
    expect(again.jobIds).toEqual(jobIds);
    expect(again.records.map((r) => r.id)).toEqual(records.map((r) => r.id));
    expect(await queue.pending(COMPUTE_QUERY_GRADIENTS)).toBe(1);

    // a cancelled job leaves its queries FAILED, saying so
    const cancelled = await p.services.queries.enqueue(
      'tiny',
      p.factorSetId,
      [p.spaceId],
      [{ externalId: 'w-cancel', prompt: 'Doc 1', completion: ': Velor' }],
    );
    await queue.cancel(COMPUTE_QUERY_GRADIENTS, cancelled.jobIds);
    const state = await p.services.queries.gradientState(cancelled.records[0]!, queue);
    expect(state.status).toBe('FAILED');
    expect(state.error).toMatch(/cancelled/);
  });

  it('a worker computes them: READY, with the nats, vectors and greedy answer of the in-process computation', async () => {
    const [w1, w2] = (await p.scratch.db.prisma.query.findMany({ where: { externalId: { in: ['w1', 'w2'] } }, orderBy: { id: 'asc' } }))!;
    const jobId = w1!.gradientJobId!;
    await startWorker(queue, p.services, { concurrency: 1 });
    await waitFor('the compute-query-gradients job', async () => (await queue.status(COMPUTE_QUERY_GRADIENTS, jobId))?.state === 'completed');
    const job = await queue.status(COMPUTE_QUERY_GRADIENTS, jobId);
    const [a, b] = await p.services.queries.getMany([w1!.id, w2!.id]);
    for (const q of [a!, b!]) {
      expect(await p.services.queries.gradientState(q, queue)).toEqual({ status: 'READY', error: null, jobId });
      expect(q.nats).toBeGreaterThan(0);
      expect(typeof q.modelAnswer).toBe('string');
    }
    // w1 states its answer first ("Danu."): decidable; w2 has no answer keyword: undecidable
    expect(a!.answeredCorrectly).toBe(judgeAnswer(a!.modelAnswer!, 'Danu.', ['Danu']));
    expect(typeof a!.answeredCorrectly).toBe('boolean');
    expect(b!.answeredCorrectly).toBeNull();
    expect(job?.output).toEqual({ computed: 2, judged: 1, correct: a!.answeredCorrectly ? 1 : 0 });

    // the same queries computed synchronously (as `tracebase queries add` does) give the same numbers
    const copies = await p.services.queries.create(
      'tiny',
      QUERIES.map((q) => ({ ...q, externalId: `${q.externalId}-sync` })),
    );
    const sync = await p.services.queryGradients.computeWithAnswers(
      copies.map((c) => c.record.id),
      p.factorSetId,
      [p.spaceId],
    );
    expect(sync[0]!.nats).toBeCloseTo(a!.nats!, 5);
    expect(sync[1]!.nats).toBeCloseTo(b!.nats!, 5);
    expect(sync.map((s) => [s.modelAnswer, s.answeredCorrectly])).toEqual([
      [a!.modelAnswer, a!.answeredCorrectly],
      [b!.modelAnswer, b!.answeredCorrectly],
    ]);
    const vectors = new QueryVectorRepository(p.scratch.db.sql);
    const fromJob = (await vectors.findProjection((await vectors.findGradient(a!.id, p.factorSetId))!.id, p.spaceId))!;
    const fromSync = (await vectors.findProjection((await vectors.findGradient(copies[0]!.record.id, p.factorSetId))!.id, p.spaceId))!;
    expect(Array.from(fromJob.full)).toEqual(Array.from(fromSync.full));
    expect((await vectors.findGradient(a!.id, p.factorSetId))!.nats).toBeCloseTo(a!.nats!, 6);

    // the stored answer is GreedyDecoder's continuation of the same prompt, under the same budget and stop tokens
    const model = loadModelDirectory(p.modelDir);
    const decoder = new GreedyDecoder(model.family, model.config, model.weights.tensors, { device: 'cpu', intraOpThreads: 1, interOpThreads: 1 });
    try {
      for (const [q, input] of [
        [a!, QUERIES[0]!],
        [b!, QUERIES[1]!],
      ] as const) {
        const [ids] = await decoder.generate([ModelAnswerService.promptTokens(model, input.prompt)], {
          maxNewTokens: model.tokenizer.encode(input.completion).length + ANSWER_SLACK_TOKENS,
          stopIds: model.tokenizer.encode('\n'),
        });
        expect(q.modelAnswer).toBe(model.tokenizer.decode(ids!));
      }
    } finally {
      await decoder.release();
    }
  });

  it('a job that keeps failing ends FAILED with its error, after its retries', async () => {
    const { records, jobIds } = await p.services.queries.enqueue(
      'tiny',
      987_654,
      [p.spaceId],
      [{ externalId: 'w-bad', prompt: 'Doc 2', completion: ': Danu' }],
    );
    await waitFor('the failing job', async () => (await queue.status(COMPUTE_QUERY_GRADIENTS, jobIds[0]!))?.state === 'failed', 300_000);
    const state = await p.services.queries.gradientState(records[0]!, queue);
    expect(state.status).toBe('FAILED');
    expect(state.error).toMatch(/factor set 987654 does not exist/);
    const [stored] = await p.services.queries.getMany([records[0]!.id]);
    expect(stored!.nats).toBeNull();
  });
});
