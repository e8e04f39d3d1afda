import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

import { SeededRandom } from '../../src/math/seeded-random';

/** One fuzzed operation: its text, its variables, and what it exercises. */
export interface FuzzOperation {
  readonly field: string;
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  /** Arguments passed as `literals` in the text or as `variables`. */
  readonly style: 'literals' | 'variables';
}

/** What a fuzz run saw. */
export interface FuzzReport {
  readonly requests: number;
  /** Requests per HTTP status. */
  readonly statuses: Record<string, number>;
  /** Operations answered 5xx (at most 20 kept). */
  readonly failures: { readonly status: number; readonly operation: FuzzOperation; readonly body: string }[];
  readonly serverErrors: number;
  /** Whether `health` answered after every batch. */
  readonly upThroughout: boolean;
  /** Root and nested fields with arguments that were fuzzed. */
  readonly fields: number;
}

const INT_BOUNDARIES = [0, 1, -1, 2, 10, 100, 101, 1000, 1001, 10_000, 2 ** 31 - 1, -(2 ** 31)];
const FLOAT_BOUNDARIES = [0, -0, 1.5, -1e-300, 1e308, -1e308, 5e-324];
const STRING_BOUNDARIES = ['', ' ', 'a', 'x'.repeat(5000), '\u0000', 'é漢🙂', "'; drop table documents; --", '../../etc/passwd', '{"a":1}', 'null'];
// global IDs of each type with ids that exist in a small database, and malformed ones
const ID_TYPES = ['InfluenceQuery', 'Corpus', 'Document', 'Model', 'Job', 'ApiToken'];

/** A value of an input type: boundary or random, sometimes of the wrong type or null. */
function valueOf(type: GraphQLInputType, rng: SeededRandom, depth = 0): unknown {
  if (rng.chance(0.04)) return null;
  if (rng.chance(0.03)) return pick(rng, [true, 'str', 3, 2.5, [], {}]);
  const inner = getNullableType(type);
  if (isListType(inner)) {
    if (depth > 2) return [];
    const length = pick(rng, [0, 1, 2, 3, rng.int(0, 120)]);
    return Array.from({ length }, () => valueOf(inner.ofType, rng, depth + 1));
  }
  if (isEnumType(inner)) {
    const values = inner.getValues().map((v) => v.name);
    return rng.chance(0.1) ? 'NOT_A_VALUE' : pick(rng, values);
  }
  if (isInputObjectType(inner)) {
    if (depth > 2) return {};
    const out: Record<string, unknown> = {};
    for (const f of Object.values(inner.getFields())) if (isNonNullType(f.type) || rng.chance(0.5)) out[f.name] = valueOf(f.type, rng, depth + 1);
    return out;
  }
  if (isScalarType(inner)) {
    switch (inner.name) {
      case 'Int':
        return rng.chance(0.6) ? pick(rng, INT_BOUNDARIES) : rng.int(-1000, 100_000);
      case 'Float':
        return rng.chance(0.6) ? pick(rng, FLOAT_BOUNDARIES) : (rng.nextFloat() - 0.5) * 1e6;
      case 'Boolean':
        return rng.chance(0.5);
      case 'ID':
        return rng.chance(0.7)
          ? Buffer.from(`${pick(rng, ID_TYPES)}:${pick(rng, [1, 2, 3, 0, -1, 2 ** 31, rng.int(1, 50)])}`).toString('base64url')
          : pick(rng, STRING_BOUNDARIES);
      case 'JSON':
      case 'JSONObject':
        return pick(rng, [{}, { a: 1 }, { source: 'wiki' }, [1, 2], 'text', 7, { deep: { deeper: [null] } }]);
      case 'DateTime':
        return pick(rng, ['2020-01-01T00:00:00Z', 'yesterday', '9999-12-31T23:59:59Z', '']);
      default:
        return pick(rng, STRING_BOUNDARIES.concat(['wiki', 'code', 'default', 'ek', 'tiny', 'c', 'demo-ekfac']));
    }
  }
  return null;
}

function pick<T>(rng: SeededRandom, items: readonly T[]): T {
  return items[rng.int(0, items.length - 1)]!;
}

/** GraphQL literal text of a JSON value for an input type (enums bare, objects with bare keys). */
function literal(value: unknown, type: GraphQLInputType): string {
  if (value === null || value === undefined) return 'null';
  const inner = getNullableType(type);
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, isListType(inner) ? inner.ofType : inner)).join(', ')}]`;
  if (isEnumType(inner) && typeof value === 'string' && /^[_A-Za-z][_0-9A-Za-z]*$/.test(value)) return value;
  if (typeof value === 'object') {
    const fields = isInputObjectType(inner) ? inner.getFields() : {};
    return `{ ${Object.entries(value as Record<string, unknown>)
      .filter(([k]) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(k))
      .map(([k, v]) => `${k}: ${literal(v, fields[k]?.type ?? inner)}`)
      .join(', ')} }`;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '0';
  return JSON.stringify(value);
}

/** A selection of `type`'s scalar fields (and one level of objects), for the fuzzed field's result. */
function selection(type: GraphQLObjectType, depth: number): string {
  const parts: string[] = [];
  for (const f of Object.values(type.getFields())) {
    const named = getNamedType(f.type);
    const required = f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined);
    if (required) continue;
    if (isLeafType(named)) parts.push(f.name);
    else if (isObjectType(named) && depth > 0) parts.push(`${f.name} ${selection(named, depth - 1)}`);
  }
  return `{ ${parts.length ? parts.join(' ') : '__typename'} }`;
}

/** Every field with arguments reachable from the roots (with the path of fields leading to it). */
function fuzzTargets(schema: GraphQLSchema): { root: 'query' | 'mutation'; path: GraphQLField<unknown, unknown>[] }[] {
  const targets: { root: 'query' | 'mutation'; path: GraphQLField<unknown, unknown>[] }[] = [];
  for (const [root, type] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const) {
    if (!type) continue;
    for (const field of Object.values(type.getFields())) {
      targets.push({ root, path: [field] });
      // nested fields with arguments one level down (topInfluences, documents, ...), reached through this field
      const named = getNamedType(field.type);
      const node = isObjectType(named) && named.getFields().edges ? getNamedType(named.getFields().edges!.type) : named;
      const item = isObjectType(node) && node.getFields().node ? getNamedType(node.getFields().node!.type) : node;
      if (!isObjectType(item) || root === 'mutation') continue;
      for (const nested of Object.values(item.getFields())) if (nested.args.length > 0) targets.push({ root, path: [field, nested] });
    }
  }
  return targets;
}

/** Generates `count` operations over every field with arguments, as literals and as variables. */
export function generateOperations(schema: GraphQLSchema, seed: number, count: number): { operations: FuzzOperation[]; fields: number } {
  const rng = new SeededRandom(seed, 'api-fuzz');
  const targets = fuzzTargets(schema);
  const operations: FuzzOperation[] = [];
  for (let i = 0; i < count; i++) {
    const target = targets[i % targets.length]!;
    const style = rng.chance(0.5) ? 'literals' : 'variables';
    const declarations: string[] = [];
    const variables: Record<string, unknown> = {};
    const argsText = (field: GraphQLField<unknown, unknown>, prefix: string) => {
      const args = field.args.filter((a: GraphQLArgument) => isNonNullType(a.type) || rng.chance(0.6));
      if (args.length === 0) return '';
      return `(${args
        .map((a) => {
          const value = valueOf(a.type, rng);
          if (style === 'literals') return `${a.name}: ${literal(value, a.type)}`;
          const name = `${prefix}${a.name}`;
          declarations.push(`$${name}: ${String(a.type)}`);
          // a variable left out, or given a value of the wrong type, is part of the fuzz
          if (!rng.chance(0.05)) variables[name] = value;
          return `${a.name}: $${name}`;
        })
        .join(', ')})`;
    };
    const [first, nested] = target.path;
    let body: string;
    const leaf = (f: GraphQLField<unknown, unknown>) => {
      const named = getNamedType(f.type);
      return isObjectType(named) ? selection(named, 2) : '';
    };
    if (!nested) body = `${first!.name}${argsText(first!, 'a_')} ${leaf(first!)}`;
    else {
      const named = getNamedType(first!.type);
      const inner = `${nested.name}${argsText(nested, 'b_')} ${leaf(nested)}`;
      const firstArgs = argsText(first!, 'a_');
      body =
        isObjectType(named) && named.getFields().edges
          ? `${first!.name}${firstArgs} { edges { node { ${inner} } } }`
          : `${first!.name}${firstArgs} { ${inner} }`;
    }
    const head = declarations.length ? `(${declarations.join(', ')})` : '';
    operations.push({
      field: target.path.map((f) => f.name).join('.'),
      query: `${target.root}${head} { ${body} }`,
      ...(style === 'variables' ? { variables } : {}),
      style,
    });
  }
  return { operations, fields: targets.length };
}

/**
 * Posts every operation to `url` (with `token`, `concurrency` at a time), counts the HTTP statuses
 * and checks that `health` answers after each batch. `renewToken` is called when the token stops
 * working (an operation may revoke it).
 */
export async function runFuzz(options: {
  url: string;
  operations: readonly FuzzOperation[];
  fields: number;
  token: () => string;
  renewToken: () => Promise<void>;
  concurrency?: number;
}): Promise<FuzzReport> {
  const statuses: Record<string, number> = {};
  const failures: FuzzReport['failures'][number][] = [];
  let serverErrors = 0;
  let upThroughout = true;
  const concurrency = options.concurrency ?? 4;
  const post = async (body: unknown, token?: string) =>
    fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  for (let i = 0; i < options.operations.length; i += concurrency) {
    const batch = options.operations.slice(i, i + concurrency);
    await Promise.all(
      batch.map(async (operation) => {
        const res = await post({ query: operation.query, variables: operation.variables }, options.token());
        const text = await res.text();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status === 401) await options.renewToken();
        if (res.status >= 500) {
          serverErrors++;
          if (failures.length < 20) failures.push({ status: res.status, operation, body: text.slice(0, 500) });
        }
      }),
    );
    try {
      const health = await post({ query: '{ health { database } }' });
      if (health.status !== 200) upThroughout = false;
    } catch {
      upThroughout = false;
    }
  }
  return { requests: options.operations.length, statuses, failures, serverErrors, upThroughout, fields: options.fields };
}
