import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CorpusFileInfluenceService, type CorpusFileInfluenceRequest, type CorpusFileInfluenceRow } from '../../src/services/corpus-file-influence.service';
import { DEFAULT_DAMPING } from '../../src/math/damping';

/** A sink that records what the service did with it. */
function recordingSink() {
  const calls: string[] = [];
  const rows: CorpusFileInfluenceRow[] = [];
  return {
    calls,
    rows,
    write: (row: CorpusFileInfluenceRow) => {
      rows.push(row);
      calls.push('write');
    },
    commit: () => calls.push('commit'),
    abort: () => calls.push('abort'),
  };
}

describe('CorpusFileInfluenceService (no database)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-file-influence-'));
  const request = (over: Partial<CorpusFileInfluenceRequest>): CorpusFileInfluenceRequest => ({
    modelDir: join(dir, 'no-model'),
    factorsDir: join(dir, 'no-factors'),
    corpusFile: join(dir, 'corpus.jsonl'),
    queries: { prompt: 'p', completion: 'q' },
    damping: DEFAULT_DAMPING,
    tokens: false,
    rank: 'auto',
    batchWindows: 8,
    device: 'cpu',
    ...over,
  });

  it('aborts the sink and rethrows when the run fails before any row (bad queries file, missing model)', async () => {
    const queries = join(dir, 'queries.jsonl');
    writeFileSync(queries, '{"id":"z","prompt":"p","completion":""}\n');
    const sink = recordingSink();
    await expect(new CorpusFileInfluenceService().score(request({ queries: { file: queries } }), sink)).rejects.toThrow(
      /queries\.jsonl:1: query z: completion is empty/,
    );
    expect(sink.calls).toEqual(['abort']);
    const again = recordingSink();
    await expect(new CorpusFileInfluenceService().score(request({}), again)).rejects.toThrow(/no-model/);
    expect(again.calls).toEqual(['abort']);
  });
});
