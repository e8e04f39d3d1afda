import type { Services } from '../services/service-container';

/** What every resolver receives for one GraphQL request. */
export interface GraphQLContext {
  readonly services: Services;
  /** Correlates log lines and errors of one request. */
  readonly requestId: string;
}
