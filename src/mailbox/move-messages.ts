import type { ImapFlow } from 'imapflow';
import { ReputeError } from '../errors.ts';

export interface Moved {
  /** UIDVALIDITY of the destination and source UID → destination UID, when the server
   * sent COPYUID (UIDPLUS, RFC 4315); absent otherwise. */
  uidValidity?: number;
  uidMap?: Map<number, number>;
}

/**
 * Moves messages of the selected folder by UID. imapflow uses MOVE (RFC 6851) when the
 * server has it and COPY + \Deleted + EXPUNGE when not. It answers `false` instead of
 * throwing when the server refuses or the connection dropped; that is an error here,
 * because the messages are still where they were.
 */
export async function moveMessages(client: ImapFlow, uids: number[], destination: string): Promise<Moved> {
  if (uids.length === 0) return {};
  const result = await client.messageMove(uids, destination, { uid: true });
  if (!result) {
    throw new ReputeError(
      'mailbox.move_failed',
      `Could not move ${uids.length} message(s) to "${destination}".`,
    );
  }
  return {
    ...(result.uidValidity !== undefined ? { uidValidity: Number(result.uidValidity) } : {}),
    ...(result.uidMap ? { uidMap: result.uidMap } : {}),
  };
}
