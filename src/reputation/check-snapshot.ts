import type { Redis } from 'ioredis';
import { domainAndParents } from '../attribution/attribute.ts';
import { checkKeys } from '../events/check-cache.ts';
import type { CheckQuery } from './check-sending.ts';

/** Half a second: a restriction reaches a serving process's memory well within the second it promises. */
export const SNAPSHOT_POLL_MS = 500;

/**
 * The check cache held in the serving process's memory, so `/v1/check` — asked before
 * every message an MTA sends — answers without a round trip at all. The events worker
 * announces every rebuild on a pub/sub channel, and the copy is read again at once; a
 * poll of the build stamp every SNAPSHOT_POLL_MS covers a lost announcement. When Redis is away the last copy keeps
 * answering, as the Redis copy does when Postgres is away.
 */
export class CheckSnapshot {
  private ips = new Set<string>();
  private tenants = new Map<string, Set<string>>();
  private stamp: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private refreshing = false;
  private again = false;
  private subscriber: Redis | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  get loaded(): boolean {
    return this.stamp !== null;
  }

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), SNAPSHOT_POLL_MS);
    this.timer.unref();
    // A connection of its own: a subscribed connection can do nothing else.
    const sub = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    sub.on('error', () => {});
    sub.on('message', () => void this.refresh());
    sub.subscribe(checkKeys(this.prefix).changed).catch(() => {});
    this.subscriber = sub;
  }

  stop(): void {
    clearInterval(this.timer);
    this.subscriber?.disconnect();
  }

  /** Reads the sets again when the build stamp has moved; errors leave the last copy in place. */
  async refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return;
    }
    if (this.redis.status !== 'ready') return;
    this.refreshing = true;
    try {
      const keys = checkKeys(this.prefix);
      const stamp = await this.redis.get(keys.built);
      if (stamp === null || stamp === this.stamp) return;
      const [ips, tenants] = await Promise.all([
        this.redis.smembers(keys.ips),
        this.redis.smembers(keys.tenants),
      ]);
      const p = this.redis.pipeline();
      for (const t of tenants) p.smembers(keys.domains(t));
      const domains = tenants.length ? ((await p.exec()) ?? []) : [];
      const next = new Map(
        tenants.map((t, i) => [t, new Set((domains[i]?.[1] as string[] | undefined) ?? [])]),
      );
      this.ips = new Set(ips);
      this.tenants = next;
      this.stamp = stamp;
    } catch {
      // Keep answering from the copy we have; the next poll tries again.
    } finally {
      this.refreshing = false;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    }
  }

  /** The facts a check needs, or null before the first copy has loaded. */
  facts(q: CheckQuery): { ipBlocked: boolean; tenantRestricted: boolean; domainRegistered: boolean } | null {
    if (!this.loaded) return null;
    const domains = q.tenant ? this.tenants.get(q.tenant) : undefined;
    return {
      ipBlocked: q.ip ? this.ips.has(q.ip) : false,
      tenantRestricted: domains !== undefined,
      domainRegistered: domains ? domainAndParents(q.fromDomain).some((d) => domains.has(d)) : false,
    };
  }
}
