import { Command } from 'commander';

import { engineOptionsFrom, withEngineOptions } from '../../src/cli/engine-options';
import { InvalidInputError } from '../../src/errors/tracebase.error';

function parse(spec: Parameters<typeof withEngineOptions>[1], args: string[]): Record<string, unknown> {
  const command = withEngineOptions(new Command('x').exitOverride().configureOutput({ writeErr: () => undefined }), spec);
  command.parse(args, { from: 'user' });
  return command.opts();
}

describe('engine options (--batch, --device, --threads)', () => {
  it('declares only the flags asked for, with their help and defaults', () => {
    const command = withEngineOptions(new Command('x'), { batch: 'rows per step', threads: true });
    expect(command.options.map((o) => o.long)).toEqual(['--batch', '--threads']);
    expect(command.helpInformation()).toMatch(/--batch <n>\s+rows per step \(default: "8"\)/);
    expect(command.helpInformation()).toMatch(/--threads <n>\s+intra-op threads \(default: all cores\)/);
    const full = withEngineOptions(new Command('y'), { batch: 'windows', device: true, threads: 'onnxruntime threads' });
    expect(full.options.map((o) => o.long)).toEqual(['--batch', '--device', '--threads']);
    expect(full.helpInformation()).toMatch(/--device <device>\s+execution provider \(choices: "cpu", "cuda", default: "cpu"\)/);
    expect(full.helpInformation()).toMatch(/--threads <n>\s+onnxruntime threads/);
  });

  it('parses defaults and given values into a typed value', () => {
    expect(engineOptionsFrom(parse({ batch: 'b', device: true, threads: true }, []))).toEqual({ device: 'cpu', threads: undefined, batch: 8 });
    expect(engineOptionsFrom(parse({ batch: 'b', device: true, threads: true }, ['--batch', '32', '--device', 'cuda', '--threads', '4']))).toEqual({
      device: 'cuda',
      threads: 4,
      batch: 32,
    });
    expect(engineOptionsFrom({})).toEqual({ device: 'cpu', threads: undefined, batch: 8 });
  });

  it('refuses a device outside the choices, and integers by the one integer rule', () => {
    expect(() => parse({ device: true }, ['--device', 'gpu'])).toThrow(/argument 'gpu' is invalid. Allowed choices are cpu, cuda/);
    expect(() => engineOptionsFrom({ device: 'gpu' })).toThrow(InvalidInputError);
    expect(() => engineOptionsFrom(parse({ batch: 'b' }, ['--batch', '1e3']))).toThrow(
      '--batch must be an integer from 1 to 4096 (decimal digits only), got "1e3"',
    );
    expect(() => engineOptionsFrom(parse({ batch: 'b' }, ['--batch', '0']))).toThrow(/--batch must be an integer from 1 to 4096/);
    expect(() => engineOptionsFrom(parse({ threads: true }, ['--threads', '1.5']))).toThrow(
      '--threads must be an integer from 1 to 1024 (decimal digits only), got "1.5"',
    );
    expect(() => engineOptionsFrom(parse({ threads: true }, ['--threads', '']))).toThrow(/--threads must be an integer from 1 to 1024 .*got ""/);
  });
});
