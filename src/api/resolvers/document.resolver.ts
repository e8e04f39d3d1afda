import { Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';

import { NotFoundError } from '../../errors/tracebase.error';
import type { GraphQLContext } from '../context';
import { toCorpusType } from '../mappers/corpus.mapper';
import { type DocumentNode, toDocumentType } from '../mappers/document.mapper';
import { fromGlobalId } from '../relay/global-id';
import { CorpusType } from '../types/corpus.type';
import { DocumentType } from '../types/document.type';

@ArgsType()
class DocumentByIdArgs {
  @Field(() => ID, { description: 'Global ID of the document.' })
  id!: string;
}

@Resolver(() => DocumentType)
export class DocumentResolver {
  @Authorized('VIEWER')
  @Query(() => DocumentType, { description: 'One document by global ID.' })
  async document(@Args(() => DocumentByIdArgs) { id }: DocumentByIdArgs, @Ctx() ctx: GraphQLContext): Promise<DocumentNode> {
    const [found] = await ctx.services.documents.getMany([fromGlobalId(id, 'Document').id]);
    if (!found) throw new NotFoundError(`no document with ID ${id}`);
    return toDocumentType(found);
  }

  @FieldResolver(() => CorpusType, { description: 'The corpus it belongs to.' })
  async corpus(@Root() doc: DocumentNode, @Ctx() ctx: GraphQLContext): Promise<CorpusType> {
    const corpus = await ctx.loaders.corpus.load(doc.corpusRowId);
    if (!corpus) throw new NotFoundError(`the corpus of document ${doc.id} no longer exists`);
    return toCorpusType(corpus);
  }
}
