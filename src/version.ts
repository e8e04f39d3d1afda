import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Tracebase's version, from package.json. */
export const TRACEBASE_VERSION: string = (JSON.parse(readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
