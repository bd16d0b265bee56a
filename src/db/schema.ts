import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  date,
  doublePrecision,
  index,
  inet,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/** Raw message bytes and hashes: Buffers in, Buffers out. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => 'bytea',
});

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const tenants = pgTable(
  'tenants',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** active | restricted_unregistered | suspended */
    status: text('status').notNull().default('active'),
    contactEmail: text('contact_email'),
    createdAt: createdAt(),
  },
  (t) => [check('tenants_status', sql`${t.status} in ('active','restricted_unregistered','suspended')`)],
);

export const acceptedDomains = pgTable(
  'accepted_domains',
  {
    domain: text('domain').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [index('accepted_domains_tenant').on(t.tenantId)],
);

export const sendingIps = pgTable(
  'sending_ips',
  {
    ip: inet('ip').primaryKey(),
    /** The tenant an IP is dedicated to; null for a shared pool IP. */
    tenantId: text('tenant_id').references(() => tenants.id, { onDelete: 'set null' }),
    pool: text('pool'),
    createdAt: createdAt(),
  },
  (t) => [check('sending_ips_owner', sql`${t.tenantId} is not null or ${t.pool} is not null`)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    name: text('name').notNull(),
    /** partner | service | viewer | analyst | admin */
    role: text('role').notNull(),
    /** sha256 of the token; the token itself is shown once and never stored. */
    tokenHash: bytea('token_hash').notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('api_tokens_hash').on(t.tokenHash),
    check('api_tokens_role', sql`${t.role} in ('partner','service','viewer','analyst','admin')`),
  ],
);

export const inboundMessages = pgTable(
  'inbound_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sha256: bytea('sha256').notNull(),
    raw: bytea('raw').notNull(),
    size: integer('size').notNull(),
    /** webhook | imap | import */
    channel: text('channel').notNull(),
    /** Partner token name or envelope sender / From of the mail that brought it. */
    reporter: text('reporter'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    /** queued | processed | ignored | failed */
    status: text('status').notNull().default('queued'),
    /** Set once the job is in the queue; a row left false by a crash is enqueued at start. */
    enqueued: boolean('enqueued').notNull().default(false),
    failureCode: text('failure_code'),
    failureDetail: text('failure_detail'),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('inbound_messages_sha256').on(t.sha256),
    index('inbound_messages_status').on(t.status, t.id),
    index('inbound_messages_unenqueued').on(t.id).where(sql`not ${t.enqueued}`),
    check('inbound_messages_status_check', sql`${t.status} in ('queued','processed','ignored','failed')`),
  ],
);

export const reports = pgTable(
  'reports',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    inboundId: bigint('inbound_id', { mode: 'number' })
      .notNull()
      .references(() => inboundMessages.id),
    /** Position of this report within its inbound message (a forward can carry several). */
    seq: smallint('seq').notNull(),
    /** scored | unattributed | evidence | not_scored */
    status: text('status').notNull(),
    format: text('format').notNull(),
    feedbackType: text('feedback_type').notNull(),
    rawFeedbackType: text('raw_feedback_type'),
    channel: text('channel').notNull(),
    reporter: text('reporter'),
    reporterDomain: text('reporter_domain'),
    sourceIp: inet('source_ip'),
    sourceIpOrigin: text('source_ip_origin'),
    sourcePort: integer('source_port'),
    originalMailFrom: text('original_mail_from'),
    originalRcptTo: text('original_rcpt_to').array().notNull().default(sql`'{}'`),
    originalFrom: text('original_from'),
    senderDomain: text('sender_domain'),
    arrivalDate: timestamp('arrival_date', { withTimezone: true }),
    messageId: text('message_id'),
    subject: text('subject'),
    userAgent: text('user_agent'),
    version: text('version'),
    reportingMta: text('reporting_mta'),
    incidents: integer('incidents'),
    reportedDomains: text('reported_domains').array().notNull().default(sql`'{}'`),
    reportedUris: text('reported_uris').array().notNull().default(sql`'{}'`),
    authFailure: text('auth_failure'),
    dkimDomain: text('dkim_domain'),
    authenticationResults: text('authentication_results'),
    tenantId: text('tenant_id'),
    ip: inet('ip'),
    /** tenant_header | source_ip | sender_domain | none */
    attributionMethod: text('attribution_method').notNull(),
    /** What the signed tenant header said: valid | unsigned | bad_signature | stale | malformed; null when absent. */
    tenantHeaderStatus: text('tenant_header_status'),
    senderDomainRegistered: boolean('sender_domain_registered'),
    /**
     * What proves the platform sent the reported mail: verified (a platform DKIM signature or a
     * message-bound tenant header), partner (a feedback-loop partner's token or signature),
     * claimed (a stranger's word). Only verified and partner evidence can block or restrict.
     */
    evidenceLevel: text('evidence_level').notNull().default('claimed'),
    /** Which proof, for people: "DKIM northwind.example s=s1", "partner token yahoo-fbl", … */
    evidenceDetail: text('evidence_detail'),
    /** Policy weight of the feedback type, and what of it was added to scores. */
    weight: doublePrecision('weight').notNull(),
    scoredWeight: doublePrecision('scored_weight').notNull(),
    /** What of it was added to the trusted complaint weight, the one that can block. */
    trustedWeight: doublePrecision('trusted_weight').notNull().default(0),
    notScoredReason: text('not_scored_reason'),
    warnings: text('warnings').array().notNull().default(sql`'{}'`),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('reports_inbound_seq').on(t.inboundId, t.seq),
    index('reports_ip').on(t.ip, t.id),
    index('reports_tenant').on(t.tenantId, t.id),
    index('reports_status').on(t.status, t.id),
    // The claimed-complaint caps look back a day per reporter, reporting domain and subject.
    index('reports_reporter').on(t.reporter, t.createdAt),
    index('reports_reporter_domain').on(t.reporterDomain, t.createdAt),
    index('reports_claimed_ip')
      .on(t.ip, t.createdAt)
      .where(sql`${t.evidenceLevel} = 'claimed' and ${t.scoredWeight} > 0`),
    index('reports_claimed_tenant')
      .on(t.tenantId, t.createdAt)
      .where(sql`${t.evidenceLevel} = 'claimed' and ${t.scoredWeight} > 0`),
    check('reports_evidence_level', sql`${t.evidenceLevel} in ('verified','partner','claimed')`),
  ],
);

export const scores = pgTable(
  'scores',
  {
    /** ip | tenant | tenant_unregistered */
    subjectType: text('subject_type').notNull(),
    subject: text('subject').notNull(),
    /** Decayed complaint weight and decayed delivered volume, both as of updated_at. */
    complaints: doublePrecision('complaints').notNull().default(0),
    /** The part of `complaints` from verified or partner evidence, decayed alike: what blocks and restricts. */
    trustedComplaints: doublePrecision('trusted_complaints').notNull().default(0),
    volume: doublePrecision('volume').notNull().default(0),
    /** Undecayed count of reports, for display. */
    reportCount: integer('report_count').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    /** ok | warned | blocked (ip) | restricted (tenant_unregistered) */
    status: text('status').notNull().default('ok'),
    statusSince: timestamp('status_since', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.subjectType, t.subject] }),
    index('scores_rank').on(t.subjectType, t.complaints),
  ],
);

export const restrictionEvents = pgTable(
  'restriction_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    type: text('type').notNull(),
    subjectType: text('subject_type').notNull(),
    subject: text('subject').notNull(),
    /** policy | delist-portal | a trust-team user */
    actor: text('actor').notNull(),
    note: text('note'),
    ndr: text('ndr'),
    metrics: jsonb('metrics').notNull().default(sql`'{}'::jsonb`),
    reportId: bigint('report_id', { mode: 'number' }),
    createdAt: createdAt(),
    /** Outbox: null until the events worker has published it. */
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (t) => [
    index('restriction_events_subject').on(t.subjectType, t.subject, t.id),
    index('restriction_events_unpublished').on(t.id).where(sql`${t.publishedAt} is null`),
  ],
);

export const auditLog = pgTable('audit_log', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  subjectType: text('subject_type'),
  subject: text('subject'),
  note: text('note'),
  detail: jsonb('detail').notNull().default(sql`'{}'::jsonb`),
  createdAt: createdAt(),
});

/**
 * Mail the IMAP poller moved out of INBOX into the processed folder whose message has no
 * verdict yet. When parsing fails the poller moves it on to the failed folder; either way
 * the row goes once the verdict is in, so the table only holds what is in flight.
 */
export const mailboxMessages = pgTable(
  'mailbox_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    inboundId: bigint('inbound_id', { mode: 'number' })
      .notNull()
      .references(() => inboundMessages.id, { onDelete: 'cascade' }),
    /** The folder the message was moved to. */
    folder: text('folder').notNull(),
    /** Its UIDVALIDITY and UID there (from COPYUID, RFC 4315); null when the server gave none. */
    uidValidity: bigint('uid_validity', { mode: 'number' }),
    uid: bigint('uid', { mode: 'number' }),
    /** The Message-ID header, to find the message without UIDPLUS or after a UIDVALIDITY change. */
    messageId: text('message_id'),
    createdAt: createdAt(),
  },
  (t) => [index('mailbox_messages_inbound').on(t.inboundId)],
);

/**
 * One row per reported message (its Message-ID and recipient, else a hash of its header
 * fields): a message complains once, whichever channel brings it again. `trusted` once
 * verified or partner evidence has spoken for it, so a stranger's forward cannot pre-empt
 * the partner's report of the same message; `claimed_weight` is what claimed evidence
 * scored for it before that.
 */
export const reportedMessages = pgTable('reported_messages', {
  key: bytea('key').primaryKey(),
  trusted: boolean('trusted').notNull(),
  claimedWeight: doublePrecision('claimed_weight').notNull().default(0),
  firstInboundId: bigint('first_inbound_id', { mode: 'number' }),
  createdAt: createdAt(),
});

/**
 * Public keys the platform signs its outbound mail with (`repute dkim add`): a reported
 * original carrying a signature that verifies with one of them was sent by the platform.
 * Keys are Repute's own copy, never looked up in DNS, so a stranger's DNS cannot vouch.
 */
export const dkimKeys = pgTable(
  'dkim_keys',
  {
    domain: text('domain').notNull(),
    selector: text('selector').notNull(),
    /** rsa | ed25519 */
    keyType: text('key_type').notNull(),
    /** SubjectPublicKeyInfo, DER, base64. */
    publicKey: text('public_key').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.domain, t.selector] }),
    check('dkim_keys_type', sql`${t.keyType} in ('rsa','ed25519')`),
  ],
);

/** Feedback-loop partners (`repute partner add`): a mailed ARF they DKIM-sign counts as partner evidence. */
export const partners = pgTable('partners', {
  name: text('name').primaryKey(),
  createdAt: createdAt(),
});

export const partnerDomains = pgTable(
  'partner_domains',
  {
    domain: text('domain').primaryKey(),
    partner: text('partner')
      .notNull()
      .references(() => partners.name, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [index('partner_domains_partner').on(t.partner)],
);

/** Delivered volume per subject and UTC day, as fed by the MTAs: what the review charts draw. */
export const volumeDaily = pgTable(
  'volume_daily',
  {
    subjectType: text('subject_type').notNull(),
    subject: text('subject').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    count: bigint('count', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.subjectType, t.subject, t.day] })],
);

/**
 * The delist portal's requests: one e-mail and one IP, confirmed through a one-time
 * link. Only the token's sha256 is kept; the link is single use and expires.
 */
export const delistRequests = pgTable(
  'delist_requests',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ip: inet('ip').notNull(),
    email: text('email').notNull(),
    tokenHash: bytea('token_hash').notNull(),
    /** pending (link mailed) | delisted | not_blocked | refused (too many delists) */
    status: text('status').notNull().default('pending'),
    /** The address the form was posted from, for the trust team. */
    clientAddress: text('client_address'),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    eventId: bigint('event_id', { mode: 'number' }),
  },
  (t) => [
    uniqueIndex('delist_requests_token').on(t.tokenHash),
    index('delist_requests_pending').on(t.expiresAt).where(sql`${t.status} = 'pending'`),
    index('delist_requests_ip').on(t.ip, t.id),
    check('delist_requests_status', sql`${t.status} in ('pending','delisted','not_blocked','refused')`),
  ],
);

/**
 * Notices mailed to a tenant's contact address about its restriction events: one row
 * per event, so an event handed to the publisher twice is mailed once, and a notice the
 * SMTP server refused is tried again later.
 */
export const tenantNotices = pgTable(
  'tenant_notices',
  {
    // No foreign key on purpose: the outbox holds its events FOR UPDATE while publishers
    // run, and a key check on them from the publisher's own connection would wait on that lock.
    eventId: bigint('event_id', { mode: 'number' }).primaryKey(),
    tenantId: text('tenant_id').notNull(),
    /** pending | sent | no_contact (the tenant has no contact address) | failed (gave up) */
    status: text('status').notNull().default('pending'),
    recipient: text('recipient'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('tenant_notices_due').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    check('tenant_notices_status', sql`${t.status} in ('pending','sent','no_contact','failed')`),
  ],
);

/** Subscribers to restriction events (`repute webhook add`). Disabled, never deleted, so deliveries stay on record. */
export const webhooks = pgTable('webhooks', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  url: text('url').notNull(),
  /** The HMAC key deliveries are signed with: shown once at creation, kept because signing needs it. */
  secret: text('secret').notNull(),
  /** Event types delivered; empty = all. */
  events: text('events').array().notNull().default(sql`'{}'`),
  createdAt: createdAt(),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
});

/**
 * One event to one webhook. Subject columns are copied from the event so that the
 * per-(webhook, subject) ordering check is one index probe. No foreign key to
 * restriction_events: rows are inserted while the outbox holds those events FOR UPDATE.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    webhookId: bigint('webhook_id', { mode: 'number' })
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    eventId: bigint('event_id', { mode: 'number' }).notNull(),
    subjectType: text('subject_type').notNull(),
    subject: text('subject').notNull(),
    /** pending | delivered | failed (gave up, or the webhook was removed) */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** HTTP status of the last attempt; null when it got no response. */
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    /** When pending: due time, or the lease end of an attempt in flight. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_once').on(t.webhookId, t.eventId),
    index('webhook_deliveries_due').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('webhook_deliveries_subject')
      .on(t.webhookId, t.subjectType, t.subject, t.eventId)
      .where(sql`${t.status} = 'pending'`),
    check('webhook_deliveries_status', sql`${t.status} in ('pending','delivered','failed')`),
  ],
);
