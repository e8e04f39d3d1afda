// The layer rules of docs/design.md "House style", checked by `npm run lint:layers` (part of
// `npm test`): resolver → service → repository → database, pure math, one model-family seam,
// and no import circles. A rule broken here fails the build.
'use strict';

const NODE_IO = '^(node:)?(fs|fs/promises|path|os|child_process|worker_threads|net|http|https|crypto|stream|readline|url|zlib)$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import circles make layers impossible to read and to test alone.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'math-is-pure',
      severity: 'error',
      comment: 'src/math takes typed arrays in and out: no I/O, no model, no database (it may raise the shared named errors).',
      from: { path: '^src/math/' },
      to: { pathNot: ['^src/math/', '^src/errors/'] },
    },
    {
      name: 'math-has-no-io',
      severity: 'error',
      from: { path: '^src/math/' },
      to: { dependencyTypes: ['core'], path: NODE_IO },
    },
    {
      name: 'domain-is-a-leaf',
      severity: 'error',
      comment: 'src/domain holds records, enums, ids and errors shared by every layer; it depends on nothing of ours but errors.',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '^src/errors/'], dependencyTypes: ['local', 'aliased', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled'] },
    },
    {
      name: 'api-calls-services-only',
      severity: 'error',
      comment: 'Resolvers parse arguments and call one service method: never a repository, the database, the queue library or Prisma.',
      from: { path: '^src/api/' },
      to: { path: ['^src/repositories/', '^src/db/', '^src/jobs/', '^src/generated/', '^src/worker/', '^src/cli/'] },
    },
    {
      name: 'api-no-database-driver',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '(^|/)node_modules/(@prisma/|pg/|pg-boss/|@electric-sql/)' },
    },
    {
      name: 'services-do-not-touch-sql-or-prisma',
      severity: 'error',
      comment: 'Services hold behaviour; only repositories (and the queue adapter) touch SQL, Prisma and the drivers.',
      from: { path: '^src/services/' },
      to: { path: ['^src/generated/', '^src/api/', '^src/cli/', '^src/worker/', '(^|/)node_modules/(@prisma/|pg/|pg-boss/|@electric-sql/)'] },
    },
    {
      name: 'repositories-below-services',
      severity: 'error',
      from: { path: '^src/repositories/' },
      to: { path: ['^src/services/', '^src/api/', '^src/cli/', '^src/worker/', '^src/demo/'] },
    },
    {
      name: 'database-is-the-bottom',
      severity: 'error',
      from: { path: '^src/db/' },
      to: { path: ['^src/repositories/', '^src/services/', '^src/api/', '^src/cli/', '^src/worker/', '^src/jobs/'] },
    },
    {
      name: 'worker-reuses-services-not-graphql',
      severity: 'error',
      from: { path: '^src/worker/' },
      to: { path: ['^src/api/', '^src/cli/', '^src/repositories/'] },
    },
    {
      name: 'cli-calls-services',
      severity: 'error',
      comment: 'CLI commands parse flags and call one service method, as resolvers do.',
      from: { path: '^src/cli/' },
      to: { path: ['^src/repositories/', '^src/generated/'] },
    },
    {
      name: 'one-model-family-seam',
      severity: 'error',
      comment: 'Model families are reached through src/model-families/ (the interface and the registry), never by importing a family directly.',
      from: { path: '^src/', pathNot: ['^src/model-families/', '^src/training/'] },
      to: { path: '^src/model-families/[^/]+/' },
    },
    {
      name: 'engine-below-the-product',
      severity: 'error',
      from: { path: ['^src/engine/', '^src/onnx/', '^src/model/', '^src/model-families/'] },
      to: { path: ['^src/services/', '^src/repositories/', '^src/api/', '^src/cli/', '^src/worker/', '^src/db/', '^src/jobs/', '^src/training/'] },
    },
    {
      name: 'product-does-not-depend-on-the-trainer',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/training/', '^src/cli/commands/train\\.command\\.ts$', '^src/cli/'] },
      to: { path: '^src/training/' },
    },
    {
      name: 'product-not-on-tests-or-benches',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: ['^test/', '^bench/'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/generated/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json', '.node'],
    },
  },
};
