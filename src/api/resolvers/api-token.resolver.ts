import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Mutation, Query, Resolver } from 'type-graphql';

import { roleAtLeast } from '../../auth/role';
import type { ApiTokenSummary } from '../../services/auth.service';
import type { GraphQLContext } from '../context';
import { fromGlobalId, toGlobalId } from '../relay/global-id';
import { ApiTokenType, CreatedApiTokenType, ViewerType } from '../types/api-token.type';
import { Role } from '../types/role.type';

function toApiTokenType(t: ApiTokenSummary): ApiTokenType {
  return {
    id: toGlobalId('ApiToken', t.id),
    name: t.name,
    prefix: t.prefix,
    role: t.role,
    userName: t.user.name,
    createdAt: t.createdAt,
    lastUsedAt: t.lastUsedAt,
    expiresAt: t.expiresAt,
    revokedAt: t.revokedAt,
  };
}

@ArgsType()
class CreateApiTokenArgs {
  @Field(() => String, { description: 'Owner; created with `role` if new.' })
  userName!: string;

  @Field(() => String, { description: 'What the token is for.' })
  name!: string;

  @Field(() => Role, { description: "The token's role (at most its owner's)." })
  role!: Role;
}

@Resolver()
export class ApiTokenResolver {
  @Query(() => ViewerType, { nullable: true, description: 'The caller, or null without a token.' })
  viewer(@Ctx() ctx: GraphQLContext): ViewerType | null {
    return ctx.viewer ? { userName: ctx.viewer.userName, role: ctx.viewer.role } : null;
  }

  @Authorized()
  @Query(() => [ApiTokenType], { description: "Tokens: an admin sees everyone's, others their own." })
  async apiTokens(@Ctx() ctx: GraphQLContext): Promise<ApiTokenType[]> {
    const viewer = ctx.viewer!;
    const tokens = await ctx.services.auth.list(roleAtLeast(viewer.role, 'ADMIN') ? undefined : viewer.userId);
    return tokens.map(toApiTokenType);
  }

  @Authorized('ADMIN')
  @Mutation(() => CreatedApiTokenType, { description: 'Create a token; its secret is in the result only.' })
  async createApiToken(@Args(() => CreateApiTokenArgs) args: CreateApiTokenArgs, @Ctx() ctx: GraphQLContext): Promise<CreatedApiTokenType> {
    const { token, record } = await ctx.services.auth.createToken({ userName: args.userName, tokenName: args.name, role: args.role });
    return { token, apiToken: toApiTokenType(record) };
  }

  @Authorized()
  @Mutation(() => ApiTokenType, { description: 'Revoke a token (its owner or an admin).' })
  async revokeApiToken(@Arg('id', () => ID, { description: 'Global ID of the token.' }) id: string, @Ctx() ctx: GraphQLContext): Promise<ApiTokenType> {
    return toApiTokenType(await ctx.services.auth.revoke(fromGlobalId(id, 'ApiToken').id, ctx.viewer!));
  }
}
