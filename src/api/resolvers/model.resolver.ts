import { Args, ArgsType, Authorized, Ctx, Field, ID, Query, Resolver } from 'type-graphql';

import { NotFoundError } from '../../errors/tracebase.error';
import type { GraphQLContext } from '../context';
import { toConnection } from '../relay/connection.type';
import { toModelType } from '../mappers/model.mapper';
import { fromGlobalId } from '../relay/global-id';
import { connectionComplexity, PageArgs, toPageRequest } from '../relay/page-args';
import { ModelConnection, ModelType } from '../types/model.type';

@ArgsType()
class ModelByIdArgs {
  @Field(() => ID, { description: 'Global ID of the model.' })
  id!: string;
}

@Resolver(() => ModelType)
export class ModelResolver {
  @Authorized('VIEWER')
  @Query(() => ModelConnection, { description: 'Registered models, by ascending id.', complexity: connectionComplexity })
  async models(@Args(() => PageArgs) args: PageArgs, @Ctx() ctx: GraphQLContext) {
    const { first, afterId } = toPageRequest(args);
    return toConnection(await ctx.services.modelRegistry.page(afterId, first), toModelType);
  }

  @Authorized('VIEWER')
  @Query(() => ModelType, { description: 'One model by global ID.' })
  async model(@Args(() => ModelByIdArgs) { id }: ModelByIdArgs, @Ctx() ctx: GraphQLContext): Promise<ModelType> {
    const found = await ctx.loaders.model.load(fromGlobalId(id, 'Model').id);
    if (!found) throw new NotFoundError(`no model with ID ${id}`);
    return toModelType(found);
  }
}
