import { Role } from '../generated/prisma/enums';

export { Role };

/** Roles from least to most privileged: each may do everything the ones before it may. */
export const ROLE_ORDER: readonly Role[] = [Role.VIEWER, Role.ANNOTATOR, Role.CURATOR, Role.ADMIN];

/** Whether `held` is at least `required` in {@link ROLE_ORDER}. */
export function roleAtLeast(held: Role, required: Role): boolean {
  return ROLE_ORDER.indexOf(held) >= ROLE_ORDER.indexOf(required);
}

/** Parses a role name (case-insensitive), or returns null. */
export function parseRole(name: string): Role | null {
  const upper = name.toUpperCase();
  return (ROLE_ORDER as readonly string[]).includes(upper) ? (upper as Role) : null;
}
