/** What the command line asked for: to run, or only to print something and exit. */
export type CommandLine = { readonly run: true } | { readonly run: false; readonly print: string };

/** An argument the program does not know: a start failure like an invalid setting. */
export class UnknownArgumentError extends Error {
  readonly code = 'UNKNOWN_ARGUMENT';

  constructor(argument: string) {
    super(`unknown argument ${JSON.stringify(argument)}: try --help`);
  }
}

/** The version built into the bundle; `dev` when run from source. */
declare const CHAT_VERSION: string | undefined;
export const VERSION = typeof CHAT_VERSION === 'string' ? CHAT_VERSION : 'dev';

/**
 * Reads the arguments after the script: `--help` (`-h`) prints `usage`, `--version` (`-v`) the
 * version; nothing runs. Settings come from the environment only, so any other argument fails.
 */
export function readCommandLine(args: readonly string[], usage: string): CommandLine {
  for (const argument of args) {
    if (argument === '--help' || argument === '-h') return { run: false, print: usage };
    if (argument === '--version' || argument === '-v') return { run: false, print: `${VERSION}\n` };
  }
  const [unknown] = args;
  if (unknown !== undefined) throw new UnknownArgumentError(unknown);
  return { run: true };
}
