import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, ObjectType } from 'type-graphql';

import { ConnectionType } from '../relay/connection.type';

@ObjectType('Model', { description: 'A registered language model (HF GPT-2 layout directory).' })
export class ModelType {
  @Field(() => ID, { description: 'Global ID.' })
  id!: string;

  @Field(() => String, { description: 'Unique name.' })
  name!: string;

  @Field(() => String, { description: 'sha256 over config, weights and tokenizer files.' })
  hash!: string;

  @Field(() => String, { description: 'Architecture family (gpt2).' })
  family!: string;

  @Field(() => GraphQLJSONObject, { description: 'The HF config.json.' })
  config!: Record<string, unknown>;

  @Field(() => [String], { description: 'Tracked linear layers, in order.' })
  trackedLayers!: string[];

  @Field(() => Float, { description: 'Number of parameters.' })
  parameterCount!: number;

  @Field(() => Date, { description: 'When it was registered.' })
  createdAt!: Date;
}

export const ModelConnection = ConnectionType('Model', ModelType, 'model');
