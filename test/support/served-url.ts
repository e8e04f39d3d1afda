import type { ChildProcessWithoutNullStreams } from 'node:child_process';

/**
 * The URL a `tracebase serve` child prints once it listens ("GraphQL API and landing page: URL");
 * rejects with its stderr when it exits first or prints nothing within `timeoutMs`.
 */
export function servedUrl(child: ChildProcessWithoutNullStreams, timeoutMs = 150_000): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no URL printed; stderr: ${err}`)), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /GraphQL API and landing page: (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${err}`));
    });
  });
}
