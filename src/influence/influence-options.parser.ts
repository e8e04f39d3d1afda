import { parseIntegerOption } from '../config/integer-option.parser';
import { InvalidInputError } from '../errors/tracebase.error';
import { DampingSpec, DEFAULT_DAMPING } from '../math/damping';
import { CurvatureStrategy } from '../math/ekfac-preconditioner';
import { FisherKind } from './factor-set';
import { QueryRank } from './query-gradient.pipeline';

const STRATEGIES: readonly CurvatureStrategy[] = ['ekfac', 'kfac', 'diagonal', 'identity'];

/** `--strategy`: ekfac | kfac | diagonal | identity. */
export function parseStrategy(v: string): CurvatureStrategy {
  if (!STRATEGIES.includes(v as CurvatureStrategy))
    throw new InvalidInputError(`--strategy must be one of ${STRATEGIES.join(', ')}, got ${v}`, { field: 'strategy' });
  return v as CurvatureStrategy;
}

/** `--fisher`: sampled | empirical. */
export function parseFisher(v: string): FisherKind {
  if (v !== 'sampled' && v !== 'empirical') throw new InvalidInputError(`--fisher must be sampled or empirical, got ${v}`, { field: 'fisher' });
  return v;
}

/**
 * `--damping`, a score argument: `auto` (0.1 × mean eigenvalue per layer), `relative:F`
 * (F × mean eigenvalue per layer, as the API's `damping`), `absolute:V`, or a bare positive
 * number (an absolute λ for every layer).
 */
export function parseDamping(v: string): DampingSpec {
  if (v === 'auto') return DEFAULT_DAMPING;
  const keyed = /^(relative|absolute):(.*)$/.exec(v);
  const x = Number(keyed ? keyed[2] : v);
  if ((keyed ? keyed[2]! : v).trim() === '' || !Number.isFinite(x) || x <= 0)
    throw new InvalidInputError(`--damping must be auto, relative:F, absolute:V or a positive number, got ${v}`, { field: 'damping' });
  return keyed?.[1] === 'relative' ? { mode: 'relative', factor: x } : { mode: 'absolute', value: x };
}

/** `--rank`: auto | exact | N. */
export function parseQueryRank(v: string): QueryRank {
  if (v === 'auto' || v === 'exact') return v;
  return parseIntegerOption('rank', v, 1);
}
