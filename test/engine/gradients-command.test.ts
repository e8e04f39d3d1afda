import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gpt2Family, gpt2ParameterSpecs } from '../../src/model-families/gpt2';

import { Command } from 'commander';

import { registerGradientsCommand } from '../../src/cli/commands/gradients.command';
import { SafetensorsFile } from '../../src/model/safetensors.reader';
import { referenceLogProbs, toFloat64 } from '../support/gpt2-reference';
import { tinyConfig, writeTinyCheckpoint } from '../support/gpt2-checkpoint';
import { GradientEngine, defaultEngineSettings } from '../../src/engine/gradient.engine';
import { packWindows, splitIntoWindows } from '../../src/engine/sequence-windows';
import { relErr } from './engine-fixtures';

async function runCli(args: string[]): Promise<string> {
  const program = new Command('tracebase').exitOverride();
  registerGradientsCommand(program);
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  try {
    await program.parseAsync(['gradients', ...args], { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('tracebase gradients', () => {
  const config = tinyConfig();
  const { dir, weights } = writeTinyCheckpoint(config, { prefix: 'transformer.', seed: 4 });
  const work = mkdtempSync(join(tmpdir(), 'tracebase-grad-out-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const prompt = 'Q: 2+2?';
  const completion = ' A: 4';
  const tokens = [...Buffer.from(prompt + completion)];

  it('writes tracked-layer gradients named and shaped as in the model file, and prints tokens and nats', async () => {
    const out = join(work, 'g.safetensors');
    const line = await runCli(['--model', dir, '--prompt', prompt, '--completion', completion, '--out', out, '--threads', '1']);
    const printed = JSON.parse(line.trim()) as { tokens: number; nats: number };
    expect(printed.tokens).toBe(tokens.length);
    const lp = referenceLogProbs(config, toFloat64(weights), tokens);
    const nats = -lp.slice(prompt.length - 1).reduce((a, b) => a + b, 0);
    expect(Math.abs(printed.nats - nats) / nats).toBeLessThan(1e-5);

    const st = SafetensorsFile.parse(readFileSync(out));
    const expected = ['h.0.mlp.c_fc', 'h.0.mlp.c_proj', 'h.1.mlp.c_fc', 'h.1.mlp.c_proj'].flatMap((l) => [`transformer.${l}.weight`, `transformer.${l}.bias`]);
    expect(st.names().sort()).toEqual(expected.sort());
    const specs = new Map(gpt2ParameterSpecs(config).map((s) => [`transformer.${s.name}`, s.shape]));
    for (const n of expected) {
      expect(st.entry(n)!.dtype).toBe('F32');
      expect(st.entry(n)!.shape).toEqual(specs.get(n));
    }
    // values: the float64 graph (verified against finite differences elsewhere) on the same query
    const engine = new GradientEngine(
      { family: gpt2Family, config, weights: { tensors: weights, fileNames: new Map() }, hash: 'x' },
      defaultEngineSettings({ dtype: 'float64', intraOpThreads: 1 }),
    );
    const ref = await engine.run(
      { labels: 'data', allGradients: true },
      packWindows(splitIntoWindows({ tokens, scoreFrom: prompt.length }, 16), tokens.length),
    );
    for (const n of expected) expect(relErr(st.readFloat32(n).data, ref[`grad.${n.slice('transformer.'.length)}`]!.data as Float64Array)).toBeLessThan(1e-4);
  });

  it('--all writes every parameter', async () => {
    const out = join(work, 'all.safetensors');
    await runCli(['--model', dir, '--prompt', prompt, '--completion', completion, '--out', out, '--all']);
    const st = SafetensorsFile.parse(readFileSync(out));
    expect(st.names().length).toBe(gpt2ParameterSpecs(config).length);
    expect(st.entry('transformer.wte.weight')!.shape).toEqual([256, 16]);
  });

  it('rejects a query longer than the context, naming the field, and --device cuda without CUDA clearly', async () => {
    const out = join(work, 'x.safetensors');
    await expect(runCli(['--model', dir, '--prompt', 'p', '--completion', 'x'.repeat(40), '--out', out])).rejects.toThrow(
      /completion: prompt \+ completion are 41 tokens; the model's context \(n_positions\) allows 16/,
    );
    await expect(runCli(['--model', dir, '--prompt', 'x'.repeat(20), '--completion', 'y', '--out', out])).rejects.toThrow(/^prompt:/);
    await expect(runCli(['--model', dir, '--prompt', 'p', '--completion', 'q', '--out', out, '--layers', 'h.9.mlp.c_fc'])).rejects.toThrow(
      /unknown tracked layer h\.9\.mlp\.c_fc/,
    );
    await expect(runCli(['--model', join(work, 'nope'), '--prompt', 'p', '--completion', 'q', '--out', out])).rejects.toThrow(/does not exist/);
    await expect(runCli(['--model', dir, '--prompt', 'p', '--completion', 'q', '--out', out, '--device', 'cuda'])).rejects.toThrow(
      /device cuda is not available/,
    );
  });
});
