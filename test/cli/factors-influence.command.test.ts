import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Command } from 'commander';

import { registerFactorsCommands } from '../../src/cli/commands/factors.command';
import { registerInfluenceCommand } from '../../src/cli/commands/influence.command';
import { GradientEngine, defaultEngineSettings } from '../../src/engine/gradient.engine';
import { loadModelDirectory } from '../../src/model/model-directory.loader';
import { readFactorSet } from '../../src/influence/factor-set.store';
import { preconditionQueries } from '../../src/influence/query-gradient.pipeline';
import { Matrix } from '../../src/math/dense-matrix';
import { tinyConfig, writeTinyCheckpoint } from '../support/gpt2-checkpoint';
import { referenceGradients } from '../influence/influence-fixtures';

async function cli(args: string[]): Promise<string> {
  const program = new Command('tracebase').exitOverride();
  registerFactorsCommands(program);
  registerInfluenceCommand(program);
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

interface Line {
  queryId: string;
  documentId: string;
  rank?: number;
  score: number;
  perNat: number;
  layers: Record<string, number>;
  tokens?: { token: string; score: number }[];
}
const readLines = (f: string): Line[] =>
  readFileSync(f, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

describe('tracebase factors fit / tracebase influence', () => {
  const work = mkdtempSync(join(tmpdir(), 'tb-influence-cli-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const { dir: model } = writeTinyCheckpoint(tinyConfig(), { seed: 5 });
  const { dir: otherModel } = writeTinyCheckpoint(tinyConfig(), { seed: 6 });
  const texts = [
    'the cat sat on the mat',
    'two plus two is four',
    'Belgium: capital Brussels, a long line of text that needs windows',
    'x = 3',
    'slope is rise over run',
    'abc',
  ];
  const corpus = join(work, 'corpus.jsonl');
  writeFileSync(corpus, texts.map((t, k) => JSON.stringify({ id: `doc${k}`, text: t })).join('\n') + '\n');
  const factors = join(work, 'factors');
  const common = ['--threads', '1'];

  it('fits EK-FAC factors with provenance, reuses them for the same arguments and refuses others', async () => {
    const printed = JSON.parse(await cli(['factors', 'fit', '--model', model, '--corpus', corpus, '--out', factors, '--seed', '4', '--json', ...common]));
    expect(printed).toMatchObject({ strategy: 'ekfac', fisher: 'sampled', documents: 6 });
    // λ_ℓ under the default damping is reported; the damping is not part of the fit
    expect(Object.keys(printed.defaultDamping)).toEqual(['h.0.mlp.c_fc', 'h.0.mlp.c_proj', 'h.1.mlp.c_fc', 'h.1.mlp.c_proj']);
    const { provenance } = readFactorSet(factors);
    expect(provenance.modelHash).toBe(loadModelDirectory(model).hash);
    expect(provenance.arguments).toEqual({
      strategy: 'ekfac',
      fisher: 'sampled',
      maxDocs: null,
      seed: 4,
      layers: ['h.0.mlp.c_fc', 'h.0.mlp.c_proj', 'h.1.mlp.c_fc', 'h.1.mlp.c_proj'],
    });
    expect(JSON.parse(await cli(['factors', 'fit', '--model', model, '--corpus', corpus, '--out', factors, '--seed', '4', '--json']))).toMatchObject({
      reused: true,
    });
    // without --json: a sentence for a person, not a JSON line
    expect(await cli(['factors', 'fit', '--model', model, '--corpus', corpus, '--out', factors, '--seed', '4'])).toMatch(
      /^reused EKFAC factors \(sampled Fisher\) in .*: fitted earlier for the same model, corpus and arguments/,
    );
    await expect(cli(['factors', 'fit', '--model', model, '--corpus', corpus, '--out', factors, '--seed', '5'])).rejects.toThrow(
      /seed 4 \(factors\) vs 5 \(requested\)/,
    );
    await expect(cli(['factors', 'fit', '--model', otherModel, '--corpus', corpus, '--out', factors, '--seed', '4'])).rejects.toThrow(/model hash/);
    await expect(cli(['factors', 'fit', '--model', model, '--corpus', corpus, '--out', factors, '--seed', '4', '--max-docs', '3'])).rejects.toThrow(
      /corpus hash .*maxDocs null \(factors\) vs 3/,
    );
    await expect(cli(['factors', 'fit', '--model', model, '--corpus', corpus, '--out', factors, '--seed', '4', '--damping', '0.5'])).rejects.toThrow(
      /unknown option '--damping'/,
    );
    await expect(cli(['factors', 'fit', '--model', model, '--corpus', corpus, '--out', join(work, 'f2'), '--strategy', 'shampoo'])).rejects.toThrow(
      /--strategy must be one of ekfac, kfac, diagonal, identity/,
    );
  });

  it('writes one line per (query, document) with the exact score, per-nat score and layers; --top K keeps the K best', async () => {
    const out = join(work, 'all.jsonl');
    const printed = JSON.parse(
      await cli([
        'influence',
        '--model',
        model,
        '--factors',
        factors,
        '--corpus',
        corpus,
        '--prompt',
        'Q: 2+2=',
        '--completion',
        ' four',
        '--out',
        out,
        ...common,
      ]),
    );
    const lines = readLines(out);
    expect(lines.map((l) => l.documentId)).toEqual(texts.map((_, k) => `doc${k}`));
    // reference: float64 engine, the same factors, explicit per-window document gradients
    const m = loadModelDirectory(model);
    const engine = new GradientEngine(m, defaultEngineSettings({ dtype: 'float64', intraOpThreads: 1 }));
    const { factors: fs } = readFactorSet(factors);
    const [q] = await preconditionQueries(engine, m.tokenizer, fs, [{ id: 'query', prompt: 'Q: 2+2=', completion: ' four' }], { rank: 'exact' });
    expect(Math.abs(printed.queries[0].nats - q!.nats)).toBeLessThan(1e-4 * q!.nats);
    for (const [k, text] of texts.entries()) {
      const { gradients } = await referenceGradients(engine, { id: `doc${k}`, tokens: m.tokenizer.encode(text), scoreFrom: 0 }, q!.layers);
      const ref = q!.layers.map((_, li) => {
        const M = q!.m[li] as Matrix;
        return M.data.reduce((s, v, i) => s + v * gradients[li]!.data[i]!, 0);
      });
      const total = ref.reduce((a, b) => a + b, 0);
      expect(Math.abs(lines[k]!.score - total)).toBeLessThan(2e-3 * Math.max(...ref.map(Math.abs)));
      expect(lines[k]!.perNat).toBeCloseTo(lines[k]!.score / printed.queries[0].nats, 8);
      const ls = Object.values(lines[k]!.layers);
      expect(Math.abs(ls.reduce((a, b) => a + b, 0) - lines[k]!.score)).toBeLessThan(1e-9 * Math.abs(lines[k]!.score) + 1e-12);
    }
    const topOut = join(work, 'top.jsonl');
    await cli([
      'influence',
      '--model',
      model,
      '--factors',
      factors,
      '--corpus',
      corpus,
      '--prompt',
      'Q: 2+2=',
      '--completion',
      ' four',
      '--out',
      topOut,
      '--top',
      '2',
      '--tokens',
    ]);
    const top = readLines(topOut);
    const best = [...lines].sort((a, b) => b.score - a.score).slice(0, 2);
    expect(top.map((l) => [l.rank, l.documentId])).toEqual([
      [1, best[0]!.documentId],
      [2, best[1]!.documentId],
    ]);
    for (const l of top) {
      expect(l.tokens!.length).toBe(texts[Number(l.documentId.slice(3))]!.length);
      expect(Math.abs(l.tokens!.reduce((a, t) => a + t.score, 0) - l.score)).toBeLessThan(1e-5 * Math.abs(l.score) + 1e-9);
    }
  });

  it('scores a file of queries sharing each document’s gradient; bad input fails clearly and leaves no output', async () => {
    const qf = join(work, 'queries.jsonl');
    writeFileSync(
      qf,
      [
        { id: 'a', prompt: 'Belgium:', completion: ' Bxl' },
        { id: 'b', prompt: '3+3=', completion: '6' },
      ]
        .map((x) => JSON.stringify(x))
        .join('\n'),
    );
    const out = join(work, 'many.jsonl');
    await cli(['influence', '--model', model, '--factors', factors, '--corpus', corpus, '--queries', qf, '--out', out]);
    const lines = readLines(out);
    expect(lines.length).toBe(12);
    expect(new Set(lines.map((l) => l.queryId))).toEqual(new Set(['a', 'b']));

    const badCorpus = join(work, 'bad.jsonl');
    writeFileSync(badCorpus, '{"id":"a","text":"ok"}\n{"id":"b","text":""}\n');
    const badOut = join(work, 'bad-out.jsonl');
    await expect(
      cli(['influence', '--model', model, '--factors', factors, '--corpus', badCorpus, '--prompt', 'p', '--completion', 'q', '--out', badOut]),
    ).rejects.toThrow(/bad\.jsonl:2: document b: empty "text"/);
    expect(existsSync(badOut)).toBe(false);
    expect(readdirSync(work).filter((n) => n.includes('.tmp-'))).toEqual([]);
    const emptyQ = join(work, 'empty-q.jsonl');
    writeFileSync(emptyQ, '{"id":"z","prompt":"p","completion":""}\n');
    await expect(cli(['influence', '--model', model, '--factors', factors, '--corpus', corpus, '--queries', emptyQ, '--out', badOut])).rejects.toThrow(
      /empty-q\.jsonl:1: query z: completion is empty/,
    );
    await expect(
      cli(['influence', '--model', otherModel, '--factors', factors, '--corpus', corpus, '--prompt', 'p', '--completion', 'q', '--out', badOut]),
    ).rejects.toThrow(/fitted for another model.*model hash/);
    await expect(cli(['factors', 'fit', '--model', model, '--corpus', badCorpus, '--out', join(work, 'never')])).rejects.toThrow(/bad\.jsonl:2/);
    expect(existsSync(join(work, 'never'))).toBe(false);
  });
});
