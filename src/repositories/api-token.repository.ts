import type { PrismaClient } from '../generated/prisma/client';
import type { Role } from '../auth/role';

/** A stored token with its owner (never the token itself: only its hash). */
export interface ApiTokenRecord {
  readonly id: number;
  readonly name: string;
  readonly prefix: string;
  readonly tokenHash: string;
  readonly role: Role;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly user: { readonly id: number; readonly name: string; readonly role: Role };
}

const withUser = { user: { select: { id: true, name: true, role: true } } } as const;

/** Users and their API tokens (Prisma). */
export class ApiTokenRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The user named `name`, created with `role` if missing. */
  upsertUser(name: string, role: Role): Promise<{ id: number; name: string; role: Role }> {
    return this.prisma.user.upsert({ where: { name }, create: { name, role }, update: {} });
  }

  create(token: { userId: number; name: string; prefix: string; tokenHash: string; role: Role; expiresAt?: Date | null }): Promise<ApiTokenRecord> {
    return this.prisma.apiToken.create({ data: { ...token, expiresAt: token.expiresAt ?? null }, include: withUser });
  }

  /** Tokens with this prefix that are neither revoked nor expired. */
  findUsableByPrefix(prefix: string, now: Date): Promise<ApiTokenRecord[]> {
    return this.prisma.apiToken.findMany({
      where: { prefix, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      include: withUser,
    });
  }

  async touch(id: number, at: Date): Promise<void> {
    await this.prisma.apiToken.update({ where: { id }, data: { lastUsedAt: at } });
  }

  findById(id: number): Promise<ApiTokenRecord | null> {
    return this.prisma.apiToken.findUnique({ where: { id }, include: withUser });
  }

  revoke(id: number, at: Date): Promise<ApiTokenRecord> {
    return this.prisma.apiToken.update({ where: { id }, data: { revokedAt: at }, include: withUser });
  }

  list(userId?: number): Promise<ApiTokenRecord[]> {
    return this.prisma.apiToken.findMany({ where: userId ? { userId } : {}, include: withUser, orderBy: { id: 'asc' } });
  }
}
