import type { Queryable, Sql } from '../db/client.ts';
import { ReputeError } from '../errors.ts';
import { validDomain } from '../platform/directory.ts';
import { parseDkimPublicKey } from './dkim-key.ts';

/**
 * Who Repute takes evidence from: the platform's DKIM keys (a reported original signed with
 * one was sent by the platform) and the feedback-loop partners' domains (a report they
 * DKIM-sign is partner evidence).
 */

const SELECTOR = /^[a-z0-9]([a-z0-9_-]{0,62})(\.[a-z0-9]([a-z0-9_-]{0,62}))*$/;
const PARTNER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Adds (or replaces) the key of one domain and selector, from a PEM file's text or a DNS TXT record. */
export async function addDkimKey(
  sql: Queryable,
  input: { domain: string; selector: string; publicKey: string },
): Promise<{ domain: string; selector: string; keyType: string }> {
  const domain = validDomain(input.domain);
  const selector = input.selector.trim().toLowerCase();
  if (!SELECTOR.test(selector))
    throw new ReputeError('request.invalid', `"${input.selector}" is not a DKIM selector.`);
  const key = parseDkimPublicKey(input.publicKey);
  await sql`
    insert into dkim_keys (domain, selector, key_type, public_key) values (${domain}, ${selector}, ${key.keyType}, ${key.spki})
    on conflict (domain, selector) do update set key_type = excluded.key_type, public_key = excluded.public_key`;
  return { domain, selector, keyType: key.keyType };
}

export async function removeDkimKey(sql: Queryable, domain: string, selector: string): Promise<boolean> {
  const rows = await sql`
    delete from dkim_keys where domain = ${domain.trim().toLowerCase()} and selector = ${selector.trim().toLowerCase()}
    returning domain`;
  return rows.length > 0;
}

export async function addPartner(sql: Sql, name: string, domains: string[]): Promise<string[]> {
  if (!PARTNER.test(name)) {
    throw new ReputeError('request.invalid', `Partner name "${name}": letters, digits, . _ - (max 63).`);
  }
  const valid = domains.map(validDomain);
  if (valid.length === 0)
    throw new ReputeError('request.invalid', 'Name at least one --domain the partner signs with.');
  await sql.begin(async (tx) => {
    await tx`insert into partners (name) values (${name}) on conflict do nothing`;
    const taken = await tx<{ domain: string; partner: string }[]>`
      select domain, partner from partner_domains where domain = any(${valid}::text[]) and partner <> ${name}
       for update`;
    if (taken[0]) {
      throw new ReputeError(
        'domain.taken',
        `${taken[0].domain} is registered to partner "${taken[0].partner}".`,
      );
    }
    await tx`
      insert into partner_domains (domain, partner) select d, ${name} from unnest(${valid}::text[]) as d
      on conflict (domain) do nothing`;
  });
  return valid;
}

export async function listPartners(sql: Queryable): Promise<Array<{ name: string; domains: string[] }>> {
  return sql<Array<{ name: string; domains: string[] }>>`
    select p.name, coalesce(array_agg(d.domain order by d.domain) filter (where d.domain is not null), '{}') as domains
      from partners p left join partner_domains d on d.partner = p.name
     group by p.name order by p.name`;
}

export async function removePartner(sql: Queryable, name: string): Promise<boolean> {
  const rows = await sql`delete from partners where name = ${name} returning name`;
  return rows.length > 0;
}
