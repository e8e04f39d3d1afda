import path from 'node:path';

import { loadConfig } from '../../src/config/config';
import { ConfigError } from '../../src/config/config.error';

describe('loadConfig', () => {
  it('has defaults that run embedded PGlite in ./.tracebase/db on port 4000', () => {
    const config = loadConfig({}, {}, '/srv/app');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe(path.resolve('/srv/app', '.tracebase/db'));
    expect(config.port).toBe(4000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.environment).toBe('development');
  });

  it('defaults to production error formatting when the server listens beyond loopback', () => {
    expect(loadConfig({ TRACEBASE_HOST: '0.0.0.0' }).environment).toBe('production');
    expect(loadConfig({}, { host: '::' }).environment).toBe('production');
    expect(loadConfig({ TRACEBASE_HOST: '10.1.2.3' }).environment).toBe('production');
    expect(loadConfig({ TRACEBASE_HOST: 'localhost' }).environment).toBe('development');
    expect(loadConfig({ TRACEBASE_HOST: '::1' }).environment).toBe('development');
    expect(loadConfig({ TRACEBASE_HOST: '127.0.0.2' }).environment).toBe('development');
    expect(loadConfig({ TRACEBASE_HOST: '0.0.0.0', TRACEBASE_ENV: 'development' }).environment).toBe('development');
  });

  it('reads the environment and lets flags override it', () => {
    const env = { DATABASE_URL: 'postgresql://u:p@db:5432/x', TRACEBASE_PORT: '5000', TRACEBASE_DATA_DIR: 'data' };
    const config = loadConfig(env, { port: 6000 }, '/srv');
    expect(config.databaseUrl).toBe('postgresql://u:p@db:5432/x');
    expect(config.port).toBe(6000);
    expect(config.dataDir).toBe('/srv/data');
  });

  it('reads the worker token budget from TRACEBASE_WORKER_TOKEN_BUDGET or --token-budget, default 512', () => {
    expect(loadConfig({}).tokenBudget).toBe(512);
    expect(loadConfig({ TRACEBASE_WORKER_TOKEN_BUDGET: '4096' }).tokenBudget).toBe(4096);
    expect(loadConfig({ TRACEBASE_WORKER_TOKEN_BUDGET: '4096' }, { tokenBudget: '256' }).tokenBudget).toBe(256);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it.each([
    [{ TRACEBASE_PORT: 'abc' }, /TRACEBASE_PORT.*must be a number.*"abc"/],
    [{ TRACEBASE_PORT: '70000' }, /TRACEBASE_PORT.*at most 65535/],
    [{ TRACEBASE_PORT: '4.5' }, /TRACEBASE_PORT.*integer/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL.*postgresql:\/\/ URL/],
    [{ TRACEBASE_ENV: 'staging' }, /TRACEBASE_ENV.*development, production or test/],
    [{ TRACEBASE_MAX_QUERY_DEPTH: '1' }, /TRACEBASE_MAX_QUERY_DEPTH.*at least 2/],
    [{ TRACEBASE_WORKER_TOKEN_BUDGET: '8' }, /TRACEBASE_WORKER_TOKEN_BUDGET \/ --token-budget must be at least 16/],
    [{ TRACEBASE_WORKER_TOKEN_BUDGET: '2048.5' }, /TRACEBASE_WORKER_TOKEN_BUDGET.*integer/],
  ])('rejects %j with an error naming the setting', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('rejects an unknown TRACEBASE_ variable (a likely typo) and names it', () => {
    let error: unknown;
    try {
      loadConfig({ TRACEBASE_PROT: '4000' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting).toBe('TRACEBASE_PROT');
    expect((error as Error).message).toMatch(/unknown setting TRACEBASE_PROT.*TRACEBASE_PORT/);
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });
});
