import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { trainReferenceModel } from '../../src/training/reference-model.trainer';
import { oneThread, tinyCorpus, tinySettings } from './training.fixture';

const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');

/** Runs the CLI from source under tsx's ESM + CJS loader (the commands import their modules lazily). */
function tracebase(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '', TRACEBASE_FROM_SOURCE: '1' },
    timeout: 90_000,
  });
}

describe('tracebase train / generate (bad input)', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'tracebase-train-cli-'));

  it.each([
    [['--steps', '1.5'], /--steps must be an integer/],
    [['--seed', 'abc'], /--seed must be an integer/],
  ])('train %j exits 2 with a clear message', (extra, message) => {
    const r = tracebase(['train', '--world', tmp, '--out', path.join(tmp, 'm'), ...extra]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('train on a directory without a world exits 2 naming it', () => {
    const r = tracebase(['train', '--world', path.join(tmp, 'nothing'), '--out', path.join(tmp, 'm')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nothing/);
  });

  it('generate prints the greedy continuation of a trained model; a bad --max-tokens exits 2', async () => {
    const dir = path.join(tmp, 'gen');
    await trainReferenceModel(tinySettings({ steps: 30 }), tinyCorpus(), { outDir: dir, session: oneThread });
    const r = tracebase(['generate', '--model', dir, '--prompt', 'The capital of Velor is', '--max-tokens', '6', '--threads', '1']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^.{1,6}\n$/s);
    expect(tracebase(['generate', '--model', dir, '--prompt', 'x', '--max-tokens', 'many']).stderr).toMatch(/--max-tokens must be an integer/);
    expect(readFileSync(path.join(dir, 'config.json'), 'utf8')).toMatch(/"eos_token_id": 256/);
  });
});
