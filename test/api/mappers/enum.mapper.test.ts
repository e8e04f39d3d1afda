import {
  INFLUENCE_MODE_FROM_GRAPHQL,
  INFLUENCE_MODE_TO_GRAPHQL,
  INFLUENCE_NORMALIZATION_FROM_GRAPHQL,
  INFLUENCE_NORMALIZATION_TO_GRAPHQL,
  INFLUENCE_SIGN_FROM_GRAPHQL,
  INFLUENCE_SIGN_TO_GRAPHQL,
  JOB_STATE_FROM_GRAPHQL,
  JOB_STATE_TO_GRAPHQL,
  QUERY_KIND_FROM_GRAPHQL,
  QUERY_KIND_TO_GRAPHQL,
  SCORE_METHOD_FROM_GRAPHQL,
  SCORE_METHOD_TO_GRAPHQL,
} from '../../../src/api/mappers/enum.mapper';
import { INFLUENCE_MODES } from '../../../src/domain/influence-mode';
import { INFLUENCE_NORMALIZATIONS } from '../../../src/domain/influence-normalization';
import { INFLUENCE_SIGNS } from '../../../src/domain/influence-sign';
import { JOB_STATES } from '../../../src/domain/job-state';
import { QUERY_KINDS } from '../../../src/domain/query-kind';
import { SCORE_METHODS } from '../../../src/domain/score-method';

describe('GraphQL enum maps', () => {
  it.each([
    ['query kind', QUERY_KINDS, QUERY_KIND_TO_GRAPHQL, QUERY_KIND_FROM_GRAPHQL],
    ['influence sign', INFLUENCE_SIGNS, INFLUENCE_SIGN_TO_GRAPHQL, INFLUENCE_SIGN_FROM_GRAPHQL],
    ['influence mode', INFLUENCE_MODES, INFLUENCE_MODE_TO_GRAPHQL, INFLUENCE_MODE_FROM_GRAPHQL],
    ['influence normalisation', INFLUENCE_NORMALIZATIONS, INFLUENCE_NORMALIZATION_TO_GRAPHQL, INFLUENCE_NORMALIZATION_FROM_GRAPHQL],
    ['score method', SCORE_METHODS, SCORE_METHOD_TO_GRAPHQL, SCORE_METHOD_FROM_GRAPHQL],
    ['job state', JOB_STATES, JOB_STATE_TO_GRAPHQL, JOB_STATE_FROM_GRAPHQL],
  ] as [string, readonly string[], Record<string, string>, Record<string, string>][])(
    '%s: every domain value maps to a distinct GraphQL value and back',
    (_, values, to, from) => {
      const mapped = values.map((v) => to[v]!);
      expect(new Set(mapped).size).toBe(values.length);
      expect(Object.keys(from).sort()).toEqual([...mapped].sort());
      expect(mapped.map((g) => from[g])).toEqual([...values]);
    },
  );
});
