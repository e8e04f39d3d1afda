import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { CorpusFileInfluenceService, type CorpusFileInfluenceRow } from '../../src/services/corpus-file-influence.service';
import { PLATFORM_TEXTS, prepareQueryPlatform, type QueryPlatform } from '../support/query-platform.fixture';
import { testBackends } from '../support/test-database';

jest.setTimeout(300_000);

// Damping is a score argument on the platform: one registered factor set serves a query computed
// under one damping and recomputed under another, without refitting. Each time the exact scores
// equal those of the offline `tracebase influence` path (its own engine, the factor files read
// again) under the same damping, the stored gradient and the cached scores record the damping,
// and a recomputation under another damping drops the old cached scores instead of mixing them.

describe.each(testBackends())('damping chosen per query on %s', (kind) => {
  let platform: QueryPlatform;
  const query = { externalId: 'damped', prompt: 'Doc 4: ', completion: 'Danu 4' };
  const documents = [0, 3, 7, 12, 25];

  beforeAll(async () => {
    platform = await prepareQueryPlatform(kind);
  });
  afterAll(() => platform.scratch.drop());

  /** Exact scores of `documents` through the offline file path, under `damping` (relative factor). */
  async function offlineScores(factor: number): Promise<Map<string, number>> {
    const { services, factorSetId, modelDir } = platform;
    const { record } = await services.factorSets.load(factorSetId);
    const work = mkdtempSync(path.join(tmpdir(), 'tb-damping-'));
    const corpusFile = path.join(work, 'c.jsonl');
    writeFileSync(corpusFile, documents.map((i) => JSON.stringify({ id: `d${i}`, text: PLATFORM_TEXTS[i] })).join('\n'));
    const rows: CorpusFileInfluenceRow[] = [];
    await new CorpusFileInfluenceService().score(
      {
        modelDir,
        factorsDir: record.filePath!,
        corpusFile,
        queries: { prompt: query.prompt, completion: query.completion },
        tokens: false,
        rank: 'auto',
        damping: { mode: 'relative', factor },
        batchWindows: 8,
        device: 'cpu',
      },
      { write: (r) => rows.push(r), commit: () => undefined, abort: () => undefined },
    );
    return new Map(rows.map((r) => [r.documentId, r.score]));
  }

  it('scores a query under two dampings from one factor set, each as the offline path does, and never mixes them', async () => {
    const { services, scratch, factorSetId, spaceId } = platform;
    const [created] = await services.queries.create('tiny', [{ ...query, kind: 'OTHER' }]);
    const queryId = created!.record.id;
    const ids = (await scratch.db.prisma.document.findMany({ where: { externalId: { in: documents.map((i) => `d${i}`) } } })).map((d) => ({
      id: d.id,
      externalId: d.externalId,
    }));
    const exact = async () => {
      const rows = await services.exactInfluence.score({ queryId, factorSetId, spaceId, documentIds: ids.map((d) => d.id), sign: 'POSITIVE' });
      return new Map(rows.map((r) => [ids.find((d) => d.id === r.documentId)!.externalId, r.score]));
    };
    const storedDampings = async () => ({
      gradient: (await scratch.db.prisma.queryGradient.findFirst({ where: { queryId, factorSetId } }))?.damping,
      scores: [...new Set((await scratch.db.prisma.influenceScore.findMany({ where: { queryId, factorSetId } })).map((s) => s.damping))],
    });

    const byFactor = new Map<number, Map<string, number>>();
    for (const factor of [0.1, 0.001]) {
      await services.queryGradients.compute([queryId], factorSetId, [spaceId], { mode: 'relative', factor });
      expect(await storedDampings()).toEqual({ gradient: `relative:${factor}`, scores: [] });
      const platformScores = await exact();
      expect(await storedDampings()).toEqual({ gradient: `relative:${factor}`, scores: [`relative:${factor}`] });
      const offline = await offlineScores(factor);
      for (const [doc, score] of platformScores) expect(Math.abs(score - offline.get(doc)!)).toBeLessThanOrEqual(1e-5 * Math.abs(offline.get(doc)!) + 1e-9);
      byFactor.set(factor, platformScores);
    }
    // a hundredfold smaller λ moves the scores well beyond float32 rounding
    const [a, b] = [byFactor.get(0.1)!, byFactor.get(0.001)!];
    const moved = [...a.keys()].some((doc) => Math.abs(a.get(doc)! - b.get(doc)!) > 1e-3 * Math.abs(a.get(doc)!));
    expect(moved).toBe(true);
  });

  it('refuses a damping that is not a positive number, naming it, before storing anything', async () => {
    const { services } = platform;
    const before = await platform.scratch.db.prisma.query.count();
    for (const damping of [0, -1, Number.NaN]) {
      await expect(
        services.queries.submit({ model: 'tiny', factorSet: 'ek', spaces: ['default'], damping }, [{ prompt: 'a', completion: 'b' }]),
      ).rejects.toThrow(/damping must be a positive number/);
    }
    expect(await platform.scratch.db.prisma.query.count()).toBe(before);
  });
});
