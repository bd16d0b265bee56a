import type { ImapFlow } from 'imapflow';

/**
 * Creates a folder unless it exists. Listed first, because not every server answers a
 * CREATE of an existing folder with ALREADYEXISTS (RFC 5530), which imapflow tolerates.
 */
export async function ensureFolder(client: ImapFlow, path: string): Promise<boolean> {
  const listed = await client.list();
  if (listed.some((f) => f.path === path)) return false;
  const created = await client.mailboxCreate(path);
  return created.created;
}
