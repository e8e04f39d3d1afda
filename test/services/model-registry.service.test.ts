import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { applyMigrations } from '../../src/db/migration-runner';
import { createServices, type Services } from '../../src/services/service-container';
import { tinyConfig, writeTinyCheckpoint } from '../support/gpt2-checkpoint';
import { createScratchDatabase, type ScratchDatabase, testBackends } from '../support/test-database';

describe.each(testBackends())('model registry on %s', (kind) => {
  let scratch: ScratchDatabase;
  let services: Services;

  beforeAll(async () => {
    scratch = await createScratchDatabase(kind);
    await applyMigrations(scratch.db.sql);
    services = createServices(scratch.db);
  });
  afterAll(() => scratch.drop());

  it('registers a model by hash with its config and default tracked layers, idempotently', async () => {
    const config = tinyConfig();
    const { dir } = writeTinyCheckpoint(config, { seed: 3 });
    const first = await services.modelRegistry.register(dir, { name: 'tiny' });
    expect(first.created).toBe(true);
    expect(first.model.trackedLayers).toEqual(Array.from({ length: config.nLayer }, (_, i) => [`h.${i}.mlp.c_fc`, `h.${i}.mlp.c_proj`]).flat());
    expect(first.model.hash).toMatch(/^[0-9a-f]{64}$/);
    expect((first.model.config as { n_embd: number }).n_embd).toBe(config.nEmbd);
    const again = await services.modelRegistry.register(dir, { name: 'tiny' });
    expect(again.created).toBe(false);
    expect(again.model.id).toBe(first.model.id);
  });

  it('refuses the same name for other weights, and unknown tracked layers', async () => {
    const { dir } = writeTinyCheckpoint(tinyConfig(), { seed: 4 });
    await expect(services.modelRegistry.register(dir, { name: 'tiny' })).rejects.toThrow(/registered with other weights/);
    await expect(services.modelRegistry.register(dir, { name: 'other', trackedLayers: ['h.99.mlp.c_fc'] })).rejects.toThrow(
      /tracked layer "h.99.mlp.c_fc" is not a linear layer/,
    );
  });

  it('refuses to load a registered model whose directory changed', async () => {
    const { dir } = writeTinyCheckpoint(tinyConfig(), { seed: 5 });
    await services.modelRegistry.register(dir, { name: 'mutable' });
    await expect(services.modelRegistry.loadRegistered('mutable')).resolves.toMatchObject({ model: { name: 'mutable' } });
    writeTinyCheckpoint(tinyConfig(), { seed: 6, dir });
    await expect(services.modelRegistry.loadRegistered('mutable')).rejects.toThrow(/changed after "mutable" was registered/);
    writeFileSync(path.join(dir, 'config.json'), '{');
    await expect(services.modelRegistry.loadRegistered('mutable')).rejects.toThrow(/config.json: not valid JSON/);
    await expect(services.modelRegistry.loadRegistered('nope')).rejects.toThrow(/no model named "nope"/);
  });
});
