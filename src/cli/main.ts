import 'reflect-metadata';

import { reportCliError } from './cli-error.reporter';
import { buildProgram } from './program';

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.exitCode = reportCliError(error);
  });
