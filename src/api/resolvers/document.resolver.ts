import { GraphQLJSONObject } from 'graphql-scalars';
import { Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';

import { NotFoundError } from '../../errors/tracebase.error';
import type { DocumentRecord } from '../../domain/document.record';
import type { GraphQLContext } from '../context';
import { fromGlobalId, toGlobalId } from '../relay/global-id';
import { PageArgs } from '../relay/page-args';
import { CorpusType } from '../types/corpus.type';
import { DocumentType } from '../types/document.type';
import { toCorpusType } from './corpus.resolver';

/** A document as the GraphQL type; carries its corpus id for the `corpus` field. */
export type DocumentNode = DocumentType & { readonly corpusRowId: number };

export function toDocumentType(d: DocumentRecord): DocumentNode {
  return {
    id: toGlobalId('Document', d.id),
    corpusRowId: d.corpusId,
    externalId: d.externalId,
    text: d.text,
    source: d.source,
    metadata: d.metadata,
    tokenCount: d.tokenCount,
    contentHash: d.contentHash,
  };
}

@ArgsType()
export class DocumentPageArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Only documents of this source.' })
  source?: string;

  @Field(() => String, { nullable: true, description: 'Only documents whose text contains this (case-insensitive, 1–200 characters).' })
  search?: string;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Only documents whose metadata contains this JSON object.' })
  metadata?: Record<string, unknown>;
}

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
