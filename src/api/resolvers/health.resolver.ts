import { Ctx, Query, Resolver } from 'type-graphql';

import type { GraphQLContext } from '../context';
import { HealthType } from '../types/health.type';

@Resolver(() => HealthType)
export class HealthResolver {
  @Query(() => HealthType, { description: 'Database back-end, versions and migrations of this server.' })
  async health(@Ctx() ctx: GraphQLContext): Promise<HealthType> {
    return (await ctx.services.health.health()) as HealthType;
  }
}
