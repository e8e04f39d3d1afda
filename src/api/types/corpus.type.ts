import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType('Corpus', { description: 'A sample of pretraining documents.' })
export class CorpusType {
  @Field(() => ID, { description: 'Global ID.' })
  id!: string;

  @Field(() => String, { description: 'Unique name.' })
  name!: string;

  @Field(() => String, { description: 'Free text.' })
  description!: string;

  @Field(() => Int, { description: 'Documents stored.' })
  documentCount!: number;

  @Field(() => Date, { description: 'When it was created.' })
  createdAt!: Date;
}
