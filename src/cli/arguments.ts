import { type ParseArgsConfig, parseArgs } from 'node:util';

/** The command line is wrong: the message says what is missing or wrong, the usage follows (exit status 2). */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | undefined>;

/**
 * Options and positionals of one command. `names` are its positionals as the usage
 * writes them (`ID`, `PATH`); each one is required, and there may be no others.
 */
export function readArgs(
  argv: string[],
  options: Options,
  names: string[] = [],
): { values: Values; positionals: string[] } {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as never;
  } catch (err) {
    // Node's first sentence says it ("Unknown option '--x'"); the rest is about `--`.
    throw new UsageError((err as Error).message.split('. ')[0]!.replace(/\.$/, ''));
  }
  const { positionals } = parsed;
  const missing = names.slice(positionals.length);
  if (missing.length)
    throw new UsageError(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing`);
  if (positionals.length > names.length) {
    throw new UsageError(`unexpected argument "${positionals[names.length]}"`);
  }
  return parsed;
}

/** A string option the command cannot do without. */
export function requiredOption(
  values: Values,
  name: string,
  shown = `--${name} ${name.toUpperCase()}`,
): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`${shown} is missing`);
  return value;
}

/** A positive whole number written as such (ids, limits). */
export function wholeNumber(value: string, what: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) {
    throw new UsageError(
      `${what} must be a whole number from 1${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, not "${value}"`,
    );
  }
  return n;
}
