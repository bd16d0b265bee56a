import type { Sql } from '../../src/db/client.ts';
import { blockedIpNdr } from '../../src/reputation/ndr.ts';
import { writeEvents } from '../../src/reputation/write-events.ts';

/**
 * Blocks an IP as the policy does when its score crosses the line (the outbox event and the
 * score's status, written by the pipeline's own writer), without posting the reports: for
 * tests about what follows a policy block, such as a delisting through the portal.
 */
export async function blockByPolicy(sql: Sql, ip: string, publicUrl: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`insert into scores (subject_type, subject, updated_at) values ('ip', ${ip}, now()) on conflict do nothing`;
    await writeEvents(
      tx,
      [
        {
          type: 'ip.blocked',
          subjectType: 'ip',
          subject: ip,
          actor: 'policy',
          note: null,
          ndr: blockedIpNdr(ip, publicUrl),
          metrics: { reason: 'count' },
          reportId: null,
          scoreStatus: { subjectType: 'ip', status: 'blocked' },
        },
      ],
      new Date(),
    );
  });
}
