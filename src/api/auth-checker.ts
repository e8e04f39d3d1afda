import type { AuthCheckerFn } from 'type-graphql';

import { ForbiddenError, UnauthenticatedError } from '../auth/auth.error';
import { type Role, roleAtLeast } from '../auth/role';
import type { GraphQLContext } from './context';

/**
 * The one auth checker of the API: `@Authorized()` needs any valid token, `@Authorized('CURATOR')`
 * needs a token whose role is at least curator (viewer < annotator < curator < admin).
 * Anonymous callers get UNAUTHENTICATED, insufficient roles FORBIDDEN.
 */
export const roleAuthChecker: AuthCheckerFn<GraphQLContext, Role> = ({ context, info }, roles) => {
  const viewer = context.viewer;
  if (!viewer) throw new UnauthenticatedError();
  const required = roles[0];
  if (required && !roleAtLeast(viewer.role, required)) {
    throw new ForbiddenError(`${info.parentType.name}.${info.fieldName} needs role ${required} or higher; this token has ${viewer.role}`);
  }
  return true;
};
