import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Script } from 'node:vm';

import type { Command } from 'commander';

import { buildProgram } from '../../src/cli/program';

// What can be checked of the images and of docker/compose.yaml without Docker: every path a
// Dockerfile COPYs exists in the build context (the repository root), every path compose
// mounts exists or is one the file tells to create, and every tracebase command line an image
// or compose runs, or that compose.yaml's walkthrough lists, parses with the CLI.

const ROOT = path.resolve(__dirname, '..', '..');
const DOCKER = path.join(ROOT, 'docker');
const dockerfiles = readdirSync(DOCKER).filter((f) => f.endsWith('.Dockerfile'));
const compose = readFileSync(path.join(DOCKER, 'compose.yaml'), 'utf8');

/** Dockerfile instructions with their continuation lines joined, comments dropped. */
function instructions(file: string): string[] {
  const text = readFileSync(path.join(DOCKER, file), 'utf8')
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * Checks that `args` (after `node bin/tracebase.js`) names a command of the CLI and that its
 * options parse (no unknown option, no missing argument of an option); returns the command.
 */
function parseCli(args: string[]): Command {
  let command = buildProgram();
  let rest = [...args];
  for (;;) {
    const next = command.commands.find((c) => c.name() === rest[0] || c.aliases().includes(rest[0]!));
    if (!next) break;
    command = next;
    rest = rest.slice(1);
  }
  expect({ args, command: command.name() }).not.toEqual({ args, command: 'tracebase' });
  const parsed = command.parseOptions(rest);
  expect({ args, unknown: parsed.unknown }).toEqual({ args, unknown: [] });
  for (const option of command.options) {
    const value = rest.indexOf(option.long ?? '');
    if (value >= 0 && option.required)
      expect({ args, option: option.long, value: rest[value + 1] }).not.toEqual({ args, option: option.long, value: undefined });
  }
  return command;
}

describe('docker build context', () => {
  it.each(dockerfiles)('%s: every COPY source exists in the build context', (file) => {
    const copies = instructions(file).filter((l) => /^COPY\s/i.test(l) && !/--from=/.test(l));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const words = copy
        .split(/\s+/)
        .slice(1)
        .filter((w) => !w.startsWith('--'));
      for (const source of words.slice(0, -1)) expect({ copy, source, exists: existsSync(path.join(ROOT, source)) }).toEqual({ copy, source, exists: true });
    }
  });

  it.each(dockerfiles)('%s: the CMD is a tracebase command that parses, the HEALTHCHECK script compiles', (file) => {
    const lines = instructions(file);
    const cmd = lines.find((l) => /^CMD\s+\[/.test(l));
    expect(cmd).toBeDefined();
    const argv = JSON.parse(cmd!.replace(/^CMD\s+/, '')) as string[];
    expect(argv.slice(0, 2)).toEqual(['node', 'bin/tracebase.js']);
    parseCli(argv.slice(2));
    for (const health of lines.filter((l) => /^HEALTHCHECK\s/.test(l))) {
      const script = /node -e "(.*)"$/.exec(health)?.[1];
      expect(script).toBeDefined();
      expect(() => new Script(script!)).not.toThrow();
    }
  });
});

describe('docker/compose.yaml', () => {
  it('builds from Dockerfiles that exist, with the repository as context', () => {
    const files = [...compose.matchAll(/^\s+dockerfile:\s*(\S+)$/gm)].map((m) => m[1]!);
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) expect(existsSync(path.join(ROOT, f))).toBe(true);
    for (const m of compose.matchAll(/^\s+context:\s*(\S+)$/gm)) expect(path.resolve(DOCKER, m[1]!)).toBe(ROOT);
  });

  it('mounts paths that exist or that its header tells to create, at the same paths in the api and the worker', () => {
    const created = (/^#\s+mkdir -p ([^#\n]+)/m.exec(compose)?.[1] ?? '').trim().split(/\s+/);
    const mounts = [...compose.matchAll(/^\s+- (\.\.\/[^:\s]+):(\/[^:\s']+)/gm)].map((m) => ({ source: m[1]!.slice(3), target: m[2]! }));
    expect(mounts.map((m) => m.source)).toEqual(expect.arrayContaining(['models', 'factors', 'world']));
    for (const { source, target } of mounts) {
      expect({ source, ok: existsSync(path.join(ROOT, source)) || created.includes(source) }).toEqual({ source, ok: true });
      expect(target).toBe(`/app/${source}`);
    }
  });

  it('publishes configurable ports, the database not on 5432 by default', () => {
    const ports = [...compose.matchAll(/^\s+- '([^']+)'$/gm)].map((m) => m[1]!).filter((p) => /:\d+$/.test(p));
    expect(ports).toEqual(['127.0.0.1:${TRACEBASE_DB_PORT:-55432}:5432', '127.0.0.1:${TRACEBASE_PORT:-4000}:4000']);
  });

  it('runs a worker service, and its commands and the walkthrough in its header parse with the CLI', () => {
    expect(compose).toMatch(/^ {2}worker:$/m);
    const commands = [...compose.matchAll(/^\s+command: (\[.*\])$/gm)]
      .map((m) => JSON.parse(m[1]!.replace(/'/g, '"')) as string[])
      .filter((argv) => argv[1] === 'bin/tracebase.js');
    expect(commands.map((argv) => argv.slice(2))).toContainEqual(['worker']);
    for (const argv of commands) parseCli(argv.slice(2));
    const walkthrough = [...compose.matchAll(/^#\s+tb (.*?)(?:\s{2,}#.*)?$/gm)].map((m) => m[1]!.trim().split(/\s+/));
    expect(walkthrough.length).toBeGreaterThanOrEqual(6);
    for (const args of walkthrough) parseCli(args);
  });
});
