import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { buildProgram } from '../../src/cli/program';
import { servedUrl } from '../support/served-url';

// Runs the README's walkthrough, command by command, in a fresh directory (the repository's
// models/ linked in), each against what the previous ones created: in this process, except
// `tracebase serve`, which runs as a child answering the README's queries. The world is cut to
// its first 40 documents and 2 queries after `world generate` to keep the test near a minute.
jest.setTimeout(600_000);

const ROOT = path.resolve(__dirname, '..', '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const KEEP = { documents: 40, queries: 2 };

/** The fenced blocks of `lang` in the README, in order. */
function blocks(lang: string): string[] {
  return [...README.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

/** The walkthrough: the sh block that starts with `tracebase migrate`, as argument lists (comments dropped). */
function walkthrough(): string[][] {
  const block = blocks('sh').find((b) => b.trimStart().startsWith('tracebase migrate'));
  if (!block) throw new Error('README has no sh block starting with `tracebase migrate`');
  return block
    .split('\n')
    .map((line) => line.replace(/\s#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const words = line.split(/\s+/);
      if (words[0] !== 'tracebase') throw new Error(`not a tracebase command: ${line}`);
      return words.slice(1);
    });
}

async function runInProcess(args: string[]): Promise<{ out: string; status: number }> {
  let out = '';
  const outSpy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += chunk.toString()), true));
  const errSpy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  process.exitCode = undefined;
  try {
    await buildProgram().exitOverride().parseAsync(args, { from: 'user' });
    return { out, status: Number(process.exitCode ?? 0) };
  } finally {
    outSpy.mockRestore();
    errSpy.mockRestore();
    process.exitCode = undefined;
  }
}

function cutLines(file: string, keep: number): void {
  writeFileSync(file, readFileSync(file, 'utf8').split('\n').slice(0, keep).join('\n') + '\n');
}

async function post(url: string, query: string, token?: string): Promise<{ data?: Record<string, unknown>; errors?: unknown[] }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
}

describe('the README walkthrough', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'tb-readme-'));
  const cwd = process.cwd();
  const saved = { url: process.env.DATABASE_URL, dir: process.env.TRACEBASE_DATA_DIR };
  beforeAll(() => {
    symlinkSync(path.join(ROOT, 'models'), path.join(work, 'models'));
    delete process.env.DATABASE_URL;
    delete process.env.TRACEBASE_DATA_DIR; // the README's default: .tracebase/db in the working directory
    process.chdir(work);
  });
  afterAll(() => {
    process.chdir(cwd);
    if (saved.url !== undefined) process.env.DATABASE_URL = saved.url;
    if (saved.dir !== undefined) process.env.TRACEBASE_DATA_DIR = saved.dir;
    rmSync(work, { recursive: true, force: true });
  });

  it('runs every command, then answers the README queries over GraphQL', async () => {
    const commands = walkthrough();
    expect(commands[commands.length - 1]).toEqual(['serve']);
    let token: string | undefined;
    const outputs: Record<string, string> = {};
    for (const args of commands.slice(0, -1)) {
      const { out, status } = await runInProcess(args);
      expect({ command: args.join(' '), status }).toEqual({ command: args.join(' '), status: 0 });
      outputs[args.slice(0, 2).join(' ')] = out;
      if (args[0] === 'world') {
        cutLines(path.join(work, 'world', 'corpus.jsonl'), KEEP.documents);
        cutLines(path.join(work, 'world', 'queries.jsonl'), KEEP.queries);
      }
      if (args[0] === 'token') token = /^(tb_\S+)$/m.exec(out)?.[1];
    }
    expect(outputs['corpus list']).toMatch(new RegExp(`demo\\s+${KEEP.documents}\\s`));
    expect(outputs['queries top']).toMatch(/^rank\tscore\tper_nat\tdocument\tsource\ttext\n1\t.*\tdoc-/m);
    expect(token).toBeDefined();

    const [health] = blocks('sh')
      .flatMap((b) => [...b.matchAll(/-d '(\{"query".*\})'/g)].map((m) => (JSON.parse(m[1]!) as { query: string }).query))
      .filter((q) => q.includes('health'));
    expect(health).toBeDefined();
    const [influence] = blocks('graphql');
    expect(influence).toBeDefined();

    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'tracebase.js'), 'serve', '--port', '0'], {
      cwd: work,
      env: { ...process.env, NODE_OPTIONS: '', TRACEBASE_FROM_SOURCE: '1' },
    });
    try {
      const url = await servedUrl(child);
      const healthAnswer = await post(url, health!);
      expect(healthAnswer.errors).toBeUndefined();
      expect(healthAnswer.data?.health).toMatchObject({ database: 'pglite' });

      const answer = await post(url, influence!, token);
      expect(answer.errors).toBeUndefined();
      const edges = (answer.data as { influenceQueries: { edges: { node: { topInfluences: { edges: unknown[] } } }[] } }).influenceQueries.edges;
      expect(edges.length).toBe(KEEP.queries);
      for (const edge of edges) expect(edge.node.topInfluences.edges).toHaveLength(10);
    } finally {
      const exit = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exit;
    }
  });
});
