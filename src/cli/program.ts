import { Command } from 'commander';

import { registerCorpusCommands } from './commands/corpus.command';
import { registerDatabaseCommands } from './commands/database.command';
import { registerDemoCommand } from './commands/demo.command';
import { registerFactorsCommands } from './commands/factors.command';
import { registerGenerateCommand } from './commands/generate.command';
import { registerGradientsCommand } from './commands/gradients.command';
import { registerInfluenceCommand } from './commands/influence.command';
import { registerIngestCommand } from './commands/ingest.command';
import { registerModelCommands } from './commands/model.command';
import { registerQueriesCommands } from './commands/queries.command';
import { registerSchemaCommands } from './commands/schema.command';
import { registerServeCommand } from './commands/serve.command';
import { registerTokenCommands } from './commands/token.command';
import { registerTrainCommand } from './commands/train.command';
import { registerWorkerCommand } from './commands/worker.command';
import { registerWorldCommands } from './commands/world.command';

/**
 * Builds the `tracebase` command tree. Each command lives in its own file under
 * `commands/` and exports one `register…` function that adds itself to the program.
 */
export function buildProgram(): Command {
  const program = new Command('tracebase')
    .description('Which pretraining documents made this language model give this answer? EK-FAC influence on Postgres + pgvector.')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  registerServeCommand(program);
  registerDemoCommand(program);
  registerDatabaseCommands(program);
  registerCorpusCommands(program);
  registerModelCommands(program);
  registerTokenCommands(program);
  registerIngestCommand(program);
  registerQueriesCommands(program);
  registerWorkerCommand(program);
  registerGradientsCommand(program);
  registerFactorsCommands(program);
  registerInfluenceCommand(program);
  registerSchemaCommands(program);
  registerWorldCommands(program);
  registerTrainCommand(program);
  registerGenerateCommand(program);
  return program;
}
