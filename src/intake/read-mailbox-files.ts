import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Old reports on disk: a folder of message files (.eml, or any file in a Maildir's
 * cur/ and new/), or an mbox. Yields one raw message at a time, so a multi-gigabyte
 * mbox never sits in memory.
 */
export async function* messagesAt(path: string): AsyncGenerator<Buffer> {
  const info = await stat(path);
  if (info.isDirectory()) {
    yield* messagesInFolder(path);
    return;
  }
  yield* messagesInMbox(path);
}

async function* messagesInFolder(folder: string): AsyncGenerator<Buffer> {
  const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  for (const entry of entries) {
    const full = join(folder, entry.name);
    if (entry.isDirectory()) {
      // Maildir: messages live in cur/ and new/; other folders are walked as they come.
      if (entry.name !== 'tmp') yield* messagesInFolder(full);
    } else if (entry.isFile() && !entry.name.startsWith('.')) {
      yield await readFile(full);
    }
  }
}

/**
 * mbox (mboxo / mboxrd): a message starts at a line "From " after a blank line (or at
 * the top); a quoted ">From " line in a body is unquoted one level, as mboxrd writes it.
 */
async function* messagesInMbox(file: string): AsyncGenerator<Buffer> {
  let lines: Buffer[] = [];
  let previousBlank = true;
  const flush = () => {
    const message = Buffer.concat(lines);
    lines = [];
    return message;
  };
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file)) {
    pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (;;) {
      const nl = pending.indexOf(0x0a, start);
      if (nl === -1) break;
      const line = pending.subarray(start, nl + 1);
      start = nl + 1;
      if (previousBlank && line.subarray(0, 5).toString('latin1') === 'From ') {
        if (lines.length) yield flush();
        previousBlank = false;
        continue;
      }
      previousBlank = line.length <= 2 && (line.length === 1 || line[0] === 0x0d);
      lines.push(/^>+From /.test(line.subarray(0, 80).toString('latin1')) ? line.subarray(1) : line);
    }
    pending = pending.subarray(start);
  }
  if (pending.length) lines.push(pending);
  if (lines.length && Buffer.concat(lines).toString('latin1').trim() !== '') yield flush();
}
