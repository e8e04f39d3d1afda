import { Field, ID, ObjectType } from 'type-graphql';

import { Role } from './role.type';

@ObjectType('ApiToken', { description: 'An API token (its secret is never shown again after creation).' })
export class ApiTokenType {
  @Field(() => ID, { description: 'Global ID.' })
  id!: string;

  @Field(() => String, { description: 'What it is for.' })
  name!: string;

  @Field(() => String, { description: 'First characters, to recognise it.' })
  prefix!: string;

  @Field(() => Role, { description: 'What it may do.' })
  role!: Role;

  @Field(() => String, { description: 'Owner.' })
  userName!: string;

  @Field(() => Date, { description: 'Created.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'Last used.' })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'Expiry, if any.' })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'Revoked at, if revoked.' })
  revokedAt!: Date | null;
}

@ObjectType('CreatedApiToken', { description: 'A new token: `token` is shown this once.' })
export class CreatedApiTokenType {
  @Field(() => String, { description: 'The secret token; send it as `Authorization: Bearer <token>`.' })
  token!: string;

  @Field(() => ApiTokenType, { description: 'Its record.' })
  apiToken!: ApiTokenType;
}

@ObjectType('Viewer', { description: 'The caller.' })
export class ViewerType {
  @Field(() => String, { description: 'User name.' })
  userName!: string;

  @Field(() => Role, { description: 'Role of the token used.' })
  role!: Role;
}
