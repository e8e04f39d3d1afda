import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// starts the CLI in child processes (TypeScript compiled on the fly): slow on a loaded machine
jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '..', '..');

function tracebase(args: string[]) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_OPTIONS: '',
    TRACEBASE_FROM_SOURCE: '1',
    TRACEBASE_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tb-queries-cli-')),
  };
  delete env.DATABASE_URL;
  return spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tracebase.js'), ...args], { cwd: ROOT, encoding: 'utf8', env, timeout: 120_000 });
}

describe('tracebase queries', () => {
  it.each([
    [['--mode', 'fast'], /--mode must be one of ann, reranked, exact, got "fast"/],
    [['--sign', 'up'], /--sign must be one of positive, negative, got "up"/],
  ])('top refuses an unknown choice %j, naming the option and its values', (extra, message) => {
    const result = tracebase(['queries', 'top', '--query', '1', '--factors-name', 'ek', ...extra]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('add refuses an unknown --kind, naming the kinds', () => {
    const result = tracebase(['queries', 'add', '--model', 'm', '--factors', 'f', '--completion', 'c', '--kind', 'opinion']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--kind: kind must be one of factual, reasoning, control, other, got "opinion"/);
  });
});
