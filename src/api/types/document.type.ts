import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';

import { ConnectionType } from '../relay/connection.type';

@ObjectType('Document', { description: 'A pretraining document of a corpus.' })
export class DocumentType {
  @Field(() => ID, { description: 'Global ID.' })
  id!: string;

  @Field(() => String, { description: 'The id it had in the imported file (unique per corpus).' })
  externalId!: string;

  @Field(() => String, { description: 'Full text.' })
  text!: string;

  @Field(() => String, { description: 'Source category (wiki, code, math_and_trivia...).' })
  source!: string;

  @Field(() => GraphQLJSONObject, { description: 'Metadata from the imported line (unknown fields included).' })
  metadata!: Record<string, unknown>;

  @Field(() => Int, { nullable: true, description: 'Tokens under the model it was ingested for; null before ingestion.' })
  tokenCount!: number | null;

  @Field(() => String, { description: 'sha256 of the UTF-8 text.' })
  contentHash!: string;
}

export const DocumentConnection = ConnectionType('Document', DocumentType, 'document');
