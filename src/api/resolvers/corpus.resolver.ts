import { Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';

import { NotFoundError } from '../../errors/tracebase.error';
import type { GraphQLContext } from '../context';
import { toConnection } from '../relay/connection.type';
import { toCorpusType } from '../mappers/corpus.mapper';
import { toDocumentType } from '../mappers/document.mapper';
import { fromGlobalId } from '../relay/global-id';
import { connectionComplexity, PageArgs, toPageRequest } from '../relay/page-args';
import { CorpusConnection } from '../types/corpus-connection.type';
import { CorpusType } from '../types/corpus.type';
import { DocumentConnection } from '../types/document.type';
import { DocumentPageArgs } from '../types/document-page.args';

@ArgsType()
class CorpusByIdArgs {
  @Field(() => ID, { description: 'Global ID of the corpus.' })
  id!: string;
}

@Resolver(() => CorpusType)
export class CorpusResolver {
  @Authorized('VIEWER')
  @Query(() => CorpusConnection, { description: 'Corpora, by ascending id.', complexity: connectionComplexity })
  async corpora(@Args(() => PageArgs) args: PageArgs, @Ctx() ctx: GraphQLContext) {
    const { first, afterId } = toPageRequest(args);
    return toConnection(await ctx.services.corpora.page(afterId, first), toCorpusType);
  }

  @Authorized('VIEWER')
  @Query(() => CorpusType, { description: 'One corpus by global ID.' })
  async corpus(@Args(() => CorpusByIdArgs) { id }: CorpusByIdArgs, @Ctx() ctx: GraphQLContext): Promise<CorpusType> {
    const found = await ctx.loaders.corpus.load(fromGlobalId(id, 'Corpus').id);
    if (!found) throw new NotFoundError(`no corpus with ID ${id}`);
    return toCorpusType(found);
  }

  @FieldResolver(() => DocumentConnection, { description: 'Documents of this corpus, by ascending id.', complexity: connectionComplexity })
  async documents(@Root() corpus: CorpusType, @Args(() => DocumentPageArgs) args: DocumentPageArgs, @Ctx() ctx: GraphQLContext) {
    const { first, afterId } = toPageRequest(args);
    const filter = { corpusId: fromGlobalId(corpus.id, 'Corpus').id, source: args.source, textContains: args.search, metadata: args.metadata };
    return toConnection(await ctx.loaders.documentPage.load({ filter, afterId, first }), toDocumentType);
  }
}
