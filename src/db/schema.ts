import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
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
    index('inbound_messages_unenqueued')
      .on(t.id)
      .where(sql`not ${t.enqueued}`),
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
    senderDomainRegistered: boolean('sender_domain_registered'),
    /** Policy weight of the feedback type, and what of it was added to scores. */
    weight: doublePrecision('weight').notNull(),
    scoredWeight: doublePrecision('scored_weight').notNull(),
    notScoredReason: text('not_scored_reason'),
    warnings: text('warnings').array().notNull().default(sql`'{}'`),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('reports_inbound_seq').on(t.inboundId, t.seq),
    index('reports_ip').on(t.ip, t.id),
    index('reports_tenant').on(t.tenantId, t.id),
    index('reports_status').on(t.status, t.id),
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
    index('restriction_events_unpublished')
      .on(t.id)
      .where(sql`${t.publishedAt} is null`),
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
