import type { Command } from 'commander';

import { parseRole, ROLE_ORDER } from '../../auth/role';
import { InvalidInputError } from '../../errors/tracebase.error';
import { configFromOptions, withDatabaseOptions } from '../config-options';
import { withPlatform } from '../open-platform';

/** `tracebase token create | list | revoke`: API tokens, e.g. the first admin's. */
export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('API tokens (Authorization: Bearer).');
  withDatabaseOptions(
    token
      .command('create')
      .description('Create a token and print it (shown this once; only its scrypt hash is stored).')
      .requiredOption('--role <role>', ROLE_ORDER.map((r) => r.toLowerCase()).join(' | '))
      .requiredOption('--name <name>', 'what the token is for')
      .option('--user <user>', 'owner (created with the role if new)', 'admin'),
  ).action(async (options: Record<string, unknown>) => {
    const role = parseRole(String(options.role));
    if (!role) throw new InvalidInputError(`--role must be one of ${ROLE_ORDER.join(', ').toLowerCase()}, got ${String(options.role)}`);
    await withPlatform(configFromOptions(options), async (services) => {
      const { token: secret, record } = await services.auth.createToken({ userName: String(options.user), tokenName: String(options.name), role });
      process.stderr.write(`created token ${record.id} (${record.prefix}…) for ${record.user.name}, role ${record.role}\n`);
      process.stdout.write(`${secret}\n`);
    });
  });
  withDatabaseOptions(token.command('list').description('List tokens (never their secrets).')).action(async (options: Record<string, unknown>) => {
    await withPlatform(configFromOptions(options), async (services) => {
      for (const t of await services.auth.list()) {
        const state = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active';
        process.stdout.write(`${t.id}\t${t.prefix}…\t${t.user.name}\t${t.role}\t${t.name}\t${state}\n`);
      }
    });
  });
  withDatabaseOptions(token.command('revoke').description('Revoke a token by its number.').argument('<id>', 'token number (token list)')).action(
    async (id: string, options: Record<string, unknown>) => {
      const tokenId = Number(id);
      if (!Number.isInteger(tokenId) || tokenId < 1) throw new InvalidInputError(`token id must be a positive integer, got ${id}`);
      await withPlatform(configFromOptions(options), async (services) => {
        const admin = { userId: 0, userName: 'cli', role: 'ADMIN' as const, tokenId: 0 };
        const t = await services.auth.revoke(tokenId, admin);
        process.stdout.write(`revoked token ${t.id} (${t.prefix}…) of ${t.user.name}\n`);
      });
    },
  );
}
