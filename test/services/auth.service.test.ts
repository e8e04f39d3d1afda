import { applyMigrations } from '../../src/db/migration-runner';
import { createServices, type Services } from '../../src/services/service-container';
import { createScratchDatabase, type ScratchDatabase } from '../support/test-database';

describe('AuthService', () => {
  let scratch: ScratchDatabase;
  let services: Services;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pglite');
    await applyMigrations(scratch.db.sql);
    services = createServices(scratch.db);
  });
  afterAll(() => scratch.drop());

  it('stores only a salted scrypt hash, and authenticates the token it returned', async () => {
    const { token, record } = await services.auth.createToken({ userName: 'ann', tokenName: 'laptop', role: 'ANNOTATOR' });
    expect(token).toMatch(/^tb_[0-9A-Za-z]{8}_[0-9A-Za-z]{40}$/);
    const row = await scratch.db.prisma.apiToken.findUniqueOrThrow({ where: { id: record.id } });
    expect(row.tokenHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(row.tokenHash).not.toContain(token.slice(12));
    expect(token.startsWith(`tb_${row.prefix}_`)).toBe(true);
    const viewer = await services.auth.authenticate(`Bearer ${token}`);
    expect(viewer).toMatchObject({ userName: 'ann', role: 'ANNOTATOR', tokenId: record.id });
    const touched = await scratch.db.prisma.apiToken.findUniqueOrThrow({ where: { id: record.id } });
    expect(touched.lastUsedAt).not.toBeNull();
  });

  it('treats no header as anonymous and a bad one as an error', async () => {
    await expect(services.auth.authenticate(undefined)).resolves.toBeNull();
    await expect(services.auth.authenticate('Basic abc')).rejects.toThrow(/must be `Bearer <token>`/);
    await expect(services.auth.authenticate('Bearer tb_short')).rejects.toThrow(/malformed/);
    const { token } = await services.auth.createToken({ userName: 'ann', tokenName: 'other', role: 'VIEWER' });
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    await expect(services.auth.authenticate(`Bearer ${tampered}`)).rejects.toThrow(/unknown, revoked or expired/);
  });

  it('refuses a token with a higher role than its owner, and expired tokens', async () => {
    await expect(services.auth.createToken({ userName: 'ann', tokenName: 'x', role: 'ADMIN' })).rejects.toThrow(
      /has role ANNOTATOR; a token cannot have the higher role ADMIN/,
    );
    const { token } = await services.auth.createToken({ userName: 'bob', tokenName: 'old', role: 'VIEWER', expiresAt: new Date(Date.now() - 1000) });
    await expect(services.auth.authenticate(`Bearer ${token}`)).rejects.toThrow(/expired/);
  });

  it('rotates the embedded local admin token: only the newest works', async () => {
    const first = await services.auth.rotateLocalAdminToken();
    const second = await services.auth.rotateLocalAdminToken();
    await expect(services.auth.authenticate(`Bearer ${second}`)).resolves.toMatchObject({ role: 'ADMIN', userName: 'local-admin' });
    await expect(services.auth.authenticate(`Bearer ${first}`)).rejects.toThrow(/revoked/);
  });
});
