import type { Sql } from '../db/client.ts';

/**
 * The poller's memory of mail it moved to the processed folder before the workers had
 * parsed it (table mailbox_messages). Parsing is asynchronous, so a message that turns
 * out unparseable is found again here and moved on to the failed folder.
 */

export interface Moving {
  inboundId: number;
  messageId: string | null;
}

export interface Pending {
  id: number;
  uidValidity: number | null;
  uid: number | null;
  messageId: string | null;
}

/** Remembers messages about to be moved to `folder`; returns one row id per message, in order. */
export async function rememberMoving(sql: Sql, folder: string, messages: Moving[]): Promise<number[]> {
  if (messages.length === 0) return [];
  const rows = await sql<{ id: number; inboundId: number }[]>`
    insert into mailbox_messages (inbound_id, folder, message_id)
    select inbound_id, ${folder}, message_id
      from unnest(${messages.map((m) => m.inboundId)}::bigint[], ${messages.map((m) => m.messageId)}::text[])
           as t(inbound_id, message_id)
    returning id, inbound_id as "inboundId"`;
  // RETURNING promises no order: pair rows up by message. Two copies of the same bytes
  // (same inbound id) are interchangeable, so any pairing among them is right.
  const byInbound = new Map<number, number[]>();
  for (const r of rows) byInbound.set(r.inboundId, [...(byInbound.get(r.inboundId) ?? []), r.id]);
  return messages.map((m) => {
    const id = byInbound.get(m.inboundId)?.shift();
    if (id === undefined) throw new Error('mailbox_messages insert returned too few rows');
    return id;
  });
}

/** After the MOVE: where each message landed (COPYUID), for finding it again cheaply. */
export async function rememberUids(
  sql: Sql,
  uidValidity: number,
  placed: Array<{ id: number; uid: number }>,
): Promise<void> {
  if (placed.length === 0) return;
  await sql`
    update mailbox_messages m set uid_validity = ${uidValidity}, uid = t.uid
      from unnest(${placed.map((p) => p.id)}::bigint[], ${placed.map((p) => p.uid)}::bigint[]) as t(id, uid)
     where m.id = t.id`;
}

/** Rows of messages that got a verdict other than failed: they stay where they are. */
export async function forgetSettled(sql: Sql): Promise<number> {
  const done = await sql`
    delete from mailbox_messages m using inbound_messages i
     where i.id = m.inbound_id and i.status in ('processed', 'ignored')`;
  return done.count;
}

/** Messages in `folder` whose parsing failed, oldest first. */
export async function findFailed(sql: Sql, folder: string, limit: number): Promise<Pending[]> {
  return sql<Pending[]>`
    select m.id, m.uid_validity as "uidValidity", m.uid, m.message_id as "messageId"
      from mailbox_messages m join inbound_messages i on i.id = m.inbound_id
     where m.folder = ${folder} and i.status = 'failed'
     order by m.id limit ${limit}`;
}

export async function forget(sql: Sql, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`delete from mailbox_messages where id = any(${ids}::bigint[])`;
}
