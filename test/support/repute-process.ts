import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from './test-env.ts';

export const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** `repute ARGS` to the end, as a shell would run it: status, stdout, stderr. */
export function reputeSync(env: Record<string, string>, ...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
}

/**
 * A long-running `repute` command (or a shell line running one) as a child process,
 * its JSON log lines collected as they come.
 */
export function spawnRepute(
  env: Record<string, string>,
  command: string[],
  options: { shell?: string } = {},
) {
  const child: ChildProcess = options.shell
    ? spawn('sh', ['-c', options.shell], { env: { ...process.env, ...env } })
    : spawn(process.execPath, [BIN, ...command], { env: { ...process.env, ...env } });
  const lines: LogLine[] = [];
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    pending += chunk.toString();
    const parts = pending.split('\n');
    pending = parts.pop()!;
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as LogLine);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    lines,
    exited,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    /** The first log line that matches, waiting for it. */
    line: (match: (l: LogLine) => boolean, what = 'a log line', timeoutMs = 30_000) =>
      waitFor(async () => lines.find(match), { timeoutMs, what: `${what}; stderr: ${stderr.slice(-500)}` }),
    /** Waits for the exit (a generous bound: the test fails rather than hangs). */
    exit: (timeoutMs = 30_000) =>
      Promise.race([
        exited,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms`)), timeoutMs).unref(),
        ),
      ]),
    /** Kills it and every repute process it said it started (a test that failed leaves none behind). */
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const l of lines) {
        if (l.msg === 'repute running' && typeof l.pid === 'number' && alive(l.pid))
          process.kill(l.pid, 'SIGKILL');
      }
    },
  };
}

/** Whether a process with this pid is still running (an exited one nobody has reaped yet is not). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Linux: the state after the command name; Z is a zombie.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
