import { GraphQLJSONObject } from 'graphql-scalars';
import { ArgsType, Field } from 'type-graphql';

import { PageArgs } from '../relay/page-args';

/** A page of a corpus's documents, filtered by source, text or metadata. */
@ArgsType()
export class DocumentPageArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Only documents of this source.' })
  source?: string;

  @Field(() => String, { nullable: true, description: 'Only documents whose text contains this (case-insensitive, 1–200 characters).' })
  search?: string;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Only documents whose metadata contains this JSON object.' })
  metadata?: Record<string, unknown>;
}
