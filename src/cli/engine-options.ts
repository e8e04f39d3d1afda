import { Option, type Command } from 'commander';

import { parseIntegerOption } from '../config/integer-option.parser';
import { InvalidInputError } from '../errors/tracebase.error';

/** Execution provider of the onnxruntime sessions. */
export type ExecutionDevice = 'cpu' | 'cuda';

/** The devices `--device` accepts. */
export const EXECUTION_DEVICES: readonly ExecutionDevice[] = ['cpu', 'cuda'];

/** Default of `--batch`. */
export const DEFAULT_BATCH = 8;
/** Largest `--batch`. */
export const MAX_BATCH = 4096;
/** Largest `--threads`. */
export const MAX_THREADS = 1024;

const THREADS_HELP = 'intra-op threads (default: all cores)';

/** Which engine flags a command takes. */
export interface EngineOptionsSpec {
  /** `--device cpu|cuda` (default cpu). */
  readonly device?: boolean;
  /** `--threads N` (default: all cores): `true`, or its help text where the command says more. */
  readonly threads?: boolean | string;
  /** `--batch N` (default 8, at most 4096): its help text, saying what one batch holds for this command. */
  readonly batch?: string;
}

/** The engine flags of a command, parsed. */
export interface EngineOptions {
  /** `--device` (cpu where the command has no such flag). */
  readonly device: ExecutionDevice;
  /** `--threads` in [1, 1024]; undefined when not given (all cores). */
  readonly threads: number | undefined;
  /** `--batch` in [1, 4096] (8 when not given or the command has no such flag). */
  readonly batch: number;
}

/**
 * Adds the engine flags `--batch`, `--device`, `--threads` (those `spec` names, in that order) to a
 * command: the one declaration of these flags for every command. Parse them with
 * {@link engineOptionsFrom}.
 */
export function withEngineOptions(command: Command, spec: EngineOptionsSpec): Command {
  if (spec.batch !== undefined) command.option('--batch <n>', spec.batch, String(DEFAULT_BATCH));
  if (spec.device) command.addOption(new Option('--device <device>', 'execution provider').choices(EXECUTION_DEVICES).default('cpu'));
  if (spec.threads) command.option('--threads <n>', typeof spec.threads === 'string' ? spec.threads : THREADS_HELP);
  return command;
}

/**
 * Parses the engine flags that {@link withEngineOptions} declared, from commander's option
 * values: integers by the rule of {@link parseIntegerOption}, the device by its choices.
 * @throws InvalidInputError naming the flag, the value and the allowed values
 */
export function engineOptionsFrom(options: { readonly device?: unknown; readonly threads?: unknown; readonly batch?: unknown }): EngineOptions {
  const device = options.device ?? 'cpu';
  if (!EXECUTION_DEVICES.includes(device as ExecutionDevice)) {
    // commander checks the choices; this guards callers that build the options themselves
    throw new InvalidInputError(`--device must be one of ${EXECUTION_DEVICES.join(', ')}, got ${JSON.stringify(device)}`, { field: 'device' });
  }
  return {
    device: device as ExecutionDevice,
    threads: options.threads === undefined ? undefined : parseIntegerOption('threads', String(options.threads), 1, MAX_THREADS),
    batch: options.batch === undefined ? DEFAULT_BATCH : parseIntegerOption('batch', String(options.batch), 1, MAX_BATCH),
  };
}
