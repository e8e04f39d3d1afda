import { readFileSync } from 'node:fs';
import path from 'node:path';

import { buildTracebaseSchema, printTracebaseSchema } from '../../src/api/schema.builder';

describe('schema.graphql', () => {
  it('is what the code emits (run `npm run schema:emit` when this fails)', async () => {
    const committed = readFileSync(path.resolve(__dirname, '..', '..', 'schema.graphql'), 'utf8');
    expect(committed).toBe(printTracebaseSchema(await buildTracebaseSchema()));
  });

  it('documents every type and field', async () => {
    const schema = await buildTracebaseSchema();
    const undocumented: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID', 'Query', 'Mutation', 'Subscription'].includes(type.name)) continue;
      if (!type.description) undocumented.push(type.name);
      if ('getFields' in type) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) undocumented.push(`${type.name}.${field.name}`);
        }
      }
    }
    for (const field of Object.values(schema.getQueryType()!.getFields())) {
      if (!field.description) undocumented.push(`Query.${field.name}`);
    }
    for (const field of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) {
      if (!field.description) undocumented.push(`Subscription.${field.name}`);
    }
    expect(undocumented).toEqual([]);
  });
});
