import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { acceptedDomains, sendingIps, tenants } from '../db/schema.ts';
import { ReputeError } from '../errors.ts';
import { canonicalIp } from '../net/ip-address.ts';

/** The platform facts attribution relies on: tenants, their domains, the sending IPs. */

const TENANT_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function validDomain(input: string): string {
  const d = input.trim().toLowerCase().replace(/\.$/, '');
  if (!DOMAIN.test(d)) throw new ReputeError('request.invalid', `"${input}" is not a domain name.`);
  return d;
}

export async function addTenant(
  db: Db,
  t: { id: string; name: string; domains?: string[]; contactEmail?: string },
): Promise<void> {
  if (!TENANT_ID.test(t.id)) {
    throw new ReputeError(
      'request.invalid',
      `Tenant id "${t.id}": use lower-case letters, digits, . _ - (max 63).`,
    );
  }
  const domains = (t.domains ?? []).map(validDomain);
  await db.transaction(async (tx) => {
    const inserted = await tx
      .insert(tenants)
      .values({ id: t.id, name: t.name, contactEmail: t.contactEmail ?? null })
      .onConflictDoNothing()
      .returning({ id: tenants.id });
    if (inserted.length === 0) throw new ReputeError('tenant.exists', `Tenant "${t.id}" exists already.`);
    for (const domain of domains) await insertDomain(tx as unknown as Db, t.id, domain);
  });
}

async function insertDomain(db: Db, tenantId: string, domain: string): Promise<void> {
  const [owner] = await db
    .select({ tenantId: acceptedDomains.tenantId })
    .from(acceptedDomains)
    .where(eq(acceptedDomains.domain, domain));
  if (owner && owner.tenantId !== tenantId) {
    throw new ReputeError('domain.taken', `${domain} is registered to tenant "${owner.tenantId}".`);
  }
  if (!owner) await db.insert(acceptedDomains).values({ domain, tenantId });
}

export async function addDomain(db: Db, tenantId: string, domain: string): Promise<void> {
  const d = validDomain(domain);
  const [tenant] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId));
  if (!tenant) throw new ReputeError('tenant.unknown', `There is no tenant "${tenantId}".`);
  await insertDomain(db, tenantId, d);
}

export async function addSendingIp(
  db: Db,
  input: string,
  owner: { tenantId?: string; pool?: string },
): Promise<string> {
  const ip = canonicalIp(input);
  if (!ip) throw new ReputeError('request.invalid', `"${input}" is not an IP address.`);
  if (owner.tenantId) {
    const [tenant] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, owner.tenantId));
    if (!tenant) throw new ReputeError('tenant.unknown', `There is no tenant "${owner.tenantId}".`);
  }
  await db
    .insert(sendingIps)
    .values({ ip, tenantId: owner.tenantId ?? null, pool: owner.tenantId ? null : (owner.pool ?? 'shared') })
    .onConflictDoUpdate({
      target: sendingIps.ip,
      set: { tenantId: owner.tenantId ?? null, pool: owner.tenantId ? null : (owner.pool ?? 'shared') },
    });
  return ip;
}
