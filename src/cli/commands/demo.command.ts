import path from 'node:path';

import type { Command } from 'commander';

import { toGlobalId } from '../../api/relay/global-id';
import { openDatabase } from '../../db/database.factory';
import { applyMigrations } from '../../db/migration-runner';
import type { DemoQuery, DemoReporter, DemoState } from '../../demo/demo-pipeline';
import { createServices, type Services } from '../../services/service-container';
import { configFromOptions, withDatabaseOptions } from '../config-options';
import { startPlatformServer, stopPlatformOnSignals } from '../platform-server';
import { ProgressLine } from '../progress-line';

/** The committed reference model, relative to the repository root. */
const REFERENCE_MODEL = path.resolve(__dirname, '../../../models/reference');

function graphqlCall(url: string, token: string | undefined, query: string): string {
  const auth = token ? ` -H 'authorization: Bearer ${token}'` : ` -H "authorization: Bearer $TOKEN"`;
  return `curl -s ${url} -H 'content-type: application/json'${auth} \\\n  -d '${JSON.stringify({ query: query.replace(/\s+/g, ' ').trim() })}'`;
}

/** Reports the demo's steps on stderr, with a progress line per step. */
class StderrDemoReporter implements DemoReporter {
  private line: ProgressLine | undefined;
  private label = '';

  step(name: string): void {
    this.line = undefined;
    process.stderr.write(`• ${name}…\n`);
  }

  progress(label: string, done: number, total: number, unit: string): void {
    if (!this.line || this.label !== label) {
      this.line = new ProgressLine(`  ${label}`, unit);
      this.label = label;
    }
    this.line.update(done, total);
  }

  done(name: string, summary: string, seconds: number): void {
    process.stderr.write(`  ${name} done in ${seconds.toFixed(1)} s: ${summary}\n`);
  }
}

async function printExample(services: Services, state: DemoState, query: DemoQuery): Promise<string> {
  const list = async (normalize: 'NONE' | 'GRADIENT_NORM') => {
    const ranking = await services.influenceSearch.rankByIds({
      queryId: query.id,
      factorSetId: state.factorSetId,
      spaceId: state.spaceId,
      k: 5,
      sign: 'POSITIVE',
      mode: 'RERANKED',
      normalize,
    });
    const docs = await services.documents.getMany(ranking.hits.map((h) => h.documentId));
    return ranking.hits
      .map((h, i) => {
        const d = docs[i];
        const text = (d?.text ?? '').replace(/\s+/g, ' ');
        const mark = text.includes(query.answer) ? '  ← contains the answer' : '';
        const score = normalize === 'NONE' ? h.score : h.normalizedScore;
        return `  ${h.rank}. ${score.toExponential(2)}  ${(d?.source ?? '').padEnd(17)} ${JSON.stringify(text.slice(0, 70))}${mark}`;
      })
      .join('\n');
  };
  const verdict =
    query.answeredCorrectly === true ? 'which the model answers correctly' : query.answeredCorrectly === false ? 'which the model gets wrong' : '';
  return (
    `${JSON.stringify(query.prompt.trim())} (answer ${query.answer}${verdict ? `, ${verdict}` : ''}):\n` +
    `the five most positively influential documents (RERANKED, raw influence — large-gradient documents dominate):\n${await list('NONE')}\n` +
    `the same ranked by influence ÷ the document's gradient norm (normalize: GRADIENT_NORM):\n${await list('GRADIENT_NORM')}\n`
  );
}

/**
 * `tracebase demo`: the README's main command. Serves the API, then sets up the demo world end
 * to end on the committed reference model (world, corpus, model, EK-FAC factors, eigenbasis
 * projections, the world's queries) with progress on stderr, and prints example queries.
 */
export function registerDemoCommand(program: Command): void {
  withDatabaseOptions(
    program
      .command('demo')
      .description(
        'Serve the API and set up the demo end to end: generate the demo world, import it, register the committed reference model, ' +
          'fit EK-FAC factors, project every document, register the world’s queries, and print example queries.',
      )
      .option('--port <port>', 'HTTP port (env TRACEBASE_PORT, default 4000; 0 picks a free one)')
      .option('--host <host>', 'interface to listen on (env TRACEBASE_HOST, default 127.0.0.1)')
      .option('--model <dir>', 'model directory', REFERENCE_MODEL)
      .option('--exit', 'exit after the setup instead of serving', false),
  ).action(async (options: Record<string, unknown>) => {
    const started = Date.now();
    const config = configFromOptions(options);
    const db = await openDatabase(config);
    try {
      process.stderr.write(`• applying pending migrations to ${db.target} (up to 20 s on a new embedded database)…\n`);
      const migrationsStarted = Date.now();
      const applied = await applyMigrations(db.sql);
      process.stderr.write(
        `  ${applied.length ? `applied ${applied.length} migration(s)` : 'no pending migrations'} in ${((Date.now() - migrationsStarted) / 1000).toFixed(1)} s\n`,
      );
      const services = createServices(db);
      const platform = await startPlatformServer(config, db, services, { workQueue: true });
      const { server, localToken } = platform;
      process.stderr.write(`GraphQL API: ${server.url} (${db.target}); setting up the demo…\n`);
      const { prepareDemo, defaultDemoSettings } = await import('../../demo/demo-pipeline');
      const state = await prepareDemo(
        services,
        services.jobQueue,
        defaultDemoSettings(path.dirname(path.resolve(config.dataDir)), String(options.model)),
        new StderrDemoReporter(),
      );
      // the paper's analyses use queries the model answers correctly: prefer those
      const pick = (kind: DemoQuery['kind']) =>
        state.queries.find((q) => q.kind === kind && q.answeredCorrectly === true) ?? state.queries.find((q) => q.kind === kind)!;
      const factual = pick('factual');
      const reasoning = pick('reasoning');
      const example = await printExample(services, state, factual);
      const q1 = toGlobalId('InfluenceQuery', factual.id);
      const ids = state.queries
        .filter((q) => q.kind !== 'control')
        .slice(0, 4)
        .map((q) => `"${toGlobalId('InfluenceQuery', q.id)}"`);
      const seconds = (Date.now() - started) / 1000;
      process.stdout.write(
        `\nTracebase demo ready in ${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s: ${state.projected} documents of ${state.corpus} projected into ${state.space}, ` +
          `${state.queries.length} queries, ${state.queries.filter((q) => q.answeredCorrectly === true).length} answered correctly by the model (${state.model}, factors ${state.factorSet}).\n` +
          `GraphQL API and landing page: ${server.url}\n` +
          (localToken
            ? `Local admin token (valid until the next start): ${localToken}\n`
            : 'Create a token with `tracebase token create --role admin --name me` and export TOKEN=…\n') +
          `\n${example}\n` +
          `The same through the API:\n${graphqlCall(server.url, localToken, `{ influenceQuery(id: "${q1}") { prompt completion topInfluences(factorSet: "${state.factorSet}", space: "${state.space}", k: 5, mode: RERANKED) { mode nats edges { rank score perNat document { externalId source text } } } } }`)}\n\n` +
          `Exact EK-FAC influence with token scores for a reasoning query (${JSON.stringify(reasoning.prompt.split('\n')[0])}):\n` +
          `${graphqlCall(server.url, localToken, `{ influenceQuery(id: "${toGlobalId('InfluenceQuery', reasoning.id)}") { topInfluences(factorSet: "${state.factorSet}", space: "${state.space}", k: 3, mode: EXACT) { edges { rank score layerScores document { text } } } } }`)}\n\n` +
          `How much the queries' influence rankings agree (Finding 1):\n` +
          `${graphqlCall(server.url, localToken, `{ influenceCorrelation(queryIds: [${ids.join(', ')}], factorSet: "${state.factorSet}", space: "${state.space}", method: SPEARMAN) { basis { method documents } matrix } }`)}\n\n` +
          `Which sources are over-represented at the top (Findings 4–5):\n` +
          `${graphqlCall(server.url, localToken, `{ sourceOverRepresentation(queryIds: [${ids.join(', ')}], factorSet: "${state.factorSet}", space: "${state.space}", ks: [50, 250]) { basis { method documents } rows { source k ratio } } }`)}\n\n` +
          `Steps: ${state.timings.map((t) => `${t.step} ${t.seconds.toFixed(1)} s`).join(', ')}.${options.exit === true ? '' : ' Press Ctrl-C to stop.'}\n`,
      );
      if (options.exit === true) {
        await platform.server.stop();
        await services.jobQueue.stop();
        await db.close();
        return;
      }
      stopPlatformOnSignals(platform, services, db);
    } catch (error) {
      await db.close();
      throw error;
    }
  });
}
