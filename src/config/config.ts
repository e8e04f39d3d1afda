import path from 'node:path';

import { z } from 'zod';

import { ConfigError } from './config.error';

/** Where each setting comes from in the environment. CLI flags override these. */
export const ENVIRONMENT_VARIABLES = {
  databaseUrl: 'DATABASE_URL',
  dataDir: 'TRACEBASE_DATA_DIR',
  host: 'TRACEBASE_HOST',
  port: 'TRACEBASE_PORT',
  environment: 'TRACEBASE_ENV',
  logLevel: 'TRACEBASE_LOG_LEVEL',
  maxQueryDepth: 'TRACEBASE_MAX_QUERY_DEPTH',
  maxQueryCost: 'TRACEBASE_MAX_QUERY_COST',
  maxRequestBytes: 'TRACEBASE_MAX_REQUEST_BYTES',
  importDir: 'TRACEBASE_IMPORT_DIR',
  rateLimitPerMinute: 'TRACEBASE_RATE_LIMIT_PER_MINUTE',
  tokenBudget: 'TRACEBASE_WORKER_TOKEN_BUDGET',
} as const satisfies Record<string, string>;

export type SettingName = keyof typeof ENVIRONMENT_VARIABLES;

/**
 * Default most padded positions B × T of one engine batch of the ingestion worker: the fastest
 * of 256 … 4096 on the reference model with CPU workers (bench/ingest-batching.bench.ts,
 * docs/benchmarks.md), with the least activation memory but one.
 */
export const DEFAULT_WORKER_TOKEN_BUDGET = 512;

const intIn = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const configSchema = z.strictObject({
  databaseUrl: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), { error: 'must be a postgresql:// URL' })
    .optional(),
  dataDir: z.string().min(1, { error: 'must not be empty' }).default('.tracebase/db'),
  host: z.string().min(1, { error: 'must not be empty' }).default('127.0.0.1'),
  port: intIn(0, 65535).default(4000),
  environment: z.enum(['development', 'production', 'test'], { error: 'must be development, production or test' }).optional(),
  logLevel: z.enum(['error', 'warn', 'info', 'debug'], { error: 'must be error, warn, info or debug' }).default('info'),
  maxQueryDepth: intIn(2, 64).default(12),
  maxQueryCost: intIn(10, 10_000_000).default(50_000),
  maxRequestBytes: intIn(1024, 1 << 30).default(1 << 20),
  importDir: z.string().min(1, { error: 'must not be empty' }).optional(),
  rateLimitPerMinute: intIn(1, 1_000_000).default(1200),
  tokenBudget: intIn(16, 1 << 20).default(DEFAULT_WORKER_TOKEN_BUDGET),
});

/** Validated, typed configuration of one Tracebase process. */
export interface TracebaseConfig {
  /** postgresql:// URL of a Postgres + pgvector server; absent: embedded PGlite. */
  readonly databaseUrl?: string;
  /** PGlite data directory (absolute), used when `databaseUrl` is absent. */
  readonly dataDir: string;
  readonly host: string;
  /** HTTP port of the GraphQL server; 0 picks a free port. */
  readonly port: number;
  /**
   * `development` shows the messages of unexpected errors in GraphQL responses (never their
   * stack traces: those go to the server's console); the others hide them. Unset: `development`
   * when the server listens on a loopback address only, else `production`.
   */
  readonly environment: 'development' | 'production' | 'test';
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** Deepest selection-set nesting a GraphQL operation may have. */
  readonly maxQueryDepth: number;
  /** Highest estimated cost (fields × list sizes) a GraphQL operation may have. */
  readonly maxQueryCost: number;
  /** Largest accepted HTTP request body, in bytes. */
  readonly maxRequestBytes: number;
  /** Directory (absolute) whose files the `importCorpus` mutation may read; unset: no server-side imports. */
  readonly importDir?: string;
  /** GraphQL requests a minute per API token (per client address without one). */
  readonly rateLimitPerMinute: number;
  /**
   * Most padded positions B × T of one engine batch when the worker projects documents: a
   * job's windows are ordered by length and packed into batches within this budget.
   */
  readonly tokenBudget: number;
}

export type ConfigOverrides = { [K in SettingName]?: string | number | undefined };

const KNOWN_TRACEBASE_VARIABLES = new Set<string>(Object.values(ENVIRONMENT_VARIABLES));

/**
 * Reads the configuration from environment variables, with `overrides` (CLI flags) taking
 * precedence. Throws {@link ConfigError} naming the first bad setting, and for any
 * `TRACEBASE_*` variable that is not a known setting (a likely typo).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}, cwd: string = process.cwd()): TracebaseConfig {
  for (const name of Object.keys(env)) {
    if (
      name.startsWith('TRACEBASE_') &&
      !KNOWN_TRACEBASE_VARIABLES.has(name) &&
      !name.startsWith('TRACEBASE_PG_') &&
      !name.startsWith('TRACEBASE_TEST_') &&
      name !== 'TRACEBASE_FROM_SOURCE' &&
      name !== 'TRACEBASE_SKIP_TYPECHECK' &&
      name !== 'TRACEBASE_SKIP_STATIC_CHECKS'
    ) {
      const known = [...KNOWN_TRACEBASE_VARIABLES].filter((v) => v.startsWith('TRACEBASE_'));
      throw new ConfigError(`unknown setting ${name} in the environment; known settings are ${known.join(', ')}`, name);
    }
  }
  const raw: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(ENVIRONMENT_VARIABLES) as [SettingName, string][]) {
    const fromFlag = overrides[key];
    const fromEnv = env[variable];
    const value = fromFlag ?? (fromEnv === '' ? undefined : fromEnv);
    if (value !== undefined) raw[key] = value;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '') as SettingName;
    const variable = ENVIRONMENT_VARIABLES[key] ?? key;
    const given = raw[key] === undefined ? '' : ` (got ${JSON.stringify(String(raw[key]))})`;
    throw new ConfigError(`setting ${variable} / --${toFlag(key)} ${issue.message}${given}`, variable);
  }
  const c = parsed.data;
  const environment = c.environment ?? (isLoopbackHost(c.host) ? 'development' : 'production');
  return Object.freeze({ ...c, environment, dataDir: path.resolve(cwd, c.dataDir), ...(c.importDir ? { importDir: path.resolve(cwd, c.importDir) } : {}) });
}

/**
 * Whether `host` only reaches this machine: `localhost`, 127.0.0.0/8 or ::1 (and its IPv4-mapped
 * form). `0.0.0.0`, `::` and every other address listen beyond it.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(h);
}

/** `maxQueryDepth` → `max-query-depth`: the CLI flag of a setting. */
export function toFlag(key: string): string {
  return key.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`);
}

/** Describes where the data lives, without the password of a database URL. */
export function describeDatabaseTarget(config: TracebaseConfig): string {
  if (!config.databaseUrl) return `embedded PGlite at ${config.dataDir}`;
  try {
    const url = new URL(config.databaseUrl);
    return `Postgres at ${url.hostname}:${url.port || 5432}${url.pathname}`;
  } catch {
    return 'Postgres (unparseable DATABASE_URL)';
  }
}
