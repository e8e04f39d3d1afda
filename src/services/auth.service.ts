import { createHash } from 'node:crypto';

import { ForbiddenError, UnauthenticatedError } from '../auth/auth.error';
import { generateApiToken, hashApiToken, tokenPrefix, verifyApiToken } from '../auth/api-token.codec';
import { type Role, roleAtLeast } from '../auth/role';
import type { Viewer } from '../auth/viewer';
import { InvalidInputError, NotFoundError } from '../errors/tracebase.error';
import type { ApiTokenRecord, ApiTokenRepository } from '../repositories/api-token.repository';

/** A token as listed: everything but its hash. */
export type ApiTokenSummary = Omit<ApiTokenRecord, 'tokenHash'>;

const LOCAL_ADMIN = 'local-admin';
const LOCAL_ADMIN_TOKEN = 'embedded server';

/** How long a verified token is trusted without checking the database again. */
const CACHE_MS = 30_000;

function summary(record: ApiTokenRecord): ApiTokenSummary {
  const { tokenHash: _hash, ...rest } = record;
  return rest;
}

/**
 * API tokens: random, shown once, stored as scrypt hashes, revocable, each with a role no higher
 * than its owner's. Verified tokens are cached for 30 s per process (scrypt is deliberately slow),
 * so a revocation reaches other server processes within that time.
 */
export class AuthService {
  private readonly cache = new Map<string, { viewer: Viewer; until: number }>();

  constructor(private readonly tokens: ApiTokenRepository) {}

  /**
   * Creates a token for user `userName` (created with `role` if new). Returns the token text,
   * which is not stored and cannot be shown again.
   */
  async createToken(input: { userName: string; tokenName: string; role: Role; expiresAt?: Date | null }): Promise<{ token: string; record: ApiTokenSummary }> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(input.userName)) {
      throw new InvalidInputError(`user name "${input.userName}" must be 1–64 letters, digits, '.', '_', '@' or '-'`);
    }
    if (input.tokenName.trim() === '' || input.tokenName.length > 100) {
      throw new InvalidInputError('token name must be 1–100 characters');
    }
    const user = await this.tokens.upsertUser(input.userName, input.role);
    if (!roleAtLeast(user.role, input.role)) {
      throw new ForbiddenError(`user ${user.name} has role ${user.role}; a token cannot have the higher role ${input.role}`);
    }
    const { token, prefix } = generateApiToken();
    const record = await this.tokens.create({
      userId: user.id,
      name: input.tokenName,
      prefix,
      tokenHash: await hashApiToken(token),
      role: input.role,
      expiresAt: input.expiresAt ?? null,
    });
    return { token, record: summary(record) };
  }

  /**
   * The viewer for an `Authorization` header value: null without one, a {@link Viewer} for a
   * valid bearer token, {@link UnauthenticatedError} for anything else (malformed, unknown,
   * revoked or expired token).
   */
  async authenticate(authorization: string | undefined): Promise<Viewer | null> {
    if (authorization === undefined || authorization.trim() === '') return null;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw new UnauthenticatedError('the Authorization header must be `Bearer <token>`');
    const token = match[1]!;
    const key = createHash('sha256').update(token).digest('hex');
    const now = Date.now();
    const cached = this.cache.get(key);
    if (cached && cached.until > now) return cached.viewer;
    const prefix = tokenPrefix(token);
    if (!prefix) throw new UnauthenticatedError('the bearer token is malformed');
    for (const candidate of await this.tokens.findUsableByPrefix(prefix, new Date(now))) {
      if (await verifyApiToken(token, candidate.tokenHash)) {
        const viewer: Viewer = { userId: candidate.user.id, userName: candidate.user.name, role: candidate.role, tokenId: candidate.id };
        this.cache.set(key, { viewer, until: now + CACHE_MS });
        await this.tokens.touch(candidate.id, new Date(now));
        return viewer;
      }
    }
    throw new UnauthenticatedError('the bearer token is unknown, revoked or expired');
  }

  /** Revokes a token: its owner or an admin may. */
  async revoke(tokenId: number, by: Viewer): Promise<ApiTokenSummary> {
    const record = await this.tokens.findById(tokenId);
    if (!record) throw new NotFoundError(`no API token with id ${tokenId}`);
    if (record.user.id !== by.userId && !roleAtLeast(by.role, 'ADMIN')) {
      throw new ForbiddenError('only the owner of a token or an admin may revoke it');
    }
    const revoked = await this.tokens.revoke(tokenId, record.revokedAt ?? new Date());
    this.cache.clear();
    return summary(revoked);
  }

  /**
   * For the embedded single-user server: a fresh admin token for user `local-admin`, revoking the
   * ones earlier starts issued, so only the token printed by the running server works.
   */
  async rotateLocalAdminToken(): Promise<string> {
    for (const old of await this.tokens.list()) {
      if (old.user.name === LOCAL_ADMIN && old.name === LOCAL_ADMIN_TOKEN && !old.revokedAt) await this.tokens.revoke(old.id, new Date());
    }
    this.cache.clear();
    const { token } = await this.createToken({ userName: LOCAL_ADMIN, tokenName: LOCAL_ADMIN_TOKEN, role: 'ADMIN' });
    return token;
  }

  /** Tokens of one user, or of everyone. */
  async list(userId?: number): Promise<ApiTokenSummary[]> {
    return (await this.tokens.list(userId)).map(summary);
  }
}
