import type { Role } from './role';

/** Who is making a request: the owner of a valid API token, with the token's role. */
export interface Viewer {
  readonly userId: number;
  readonly userName: string;
  readonly role: Role;
  readonly tokenId: number;
}
