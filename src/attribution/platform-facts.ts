/** What the platform knows about the candidates one report names. Loaded per message by set-based SQL. */
export interface PlatformFacts {
  /** Sending IP (canonical) → its dedicated tenant, or null for a shared pool IP. */
  ips: Map<string, string | null>;
  /** Accepted domain → the tenant that registered it. */
  domains: Map<string, string>;
  /** Tenant ids that exist. */
  tenants: Set<string>;
}

export interface FactsQuery {
  ips: string[];
  domains: string[];
  tenants: string[];
}
