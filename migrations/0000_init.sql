CREATE TABLE "accepted_domains" (
	"domain" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"token_hash" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_role" CHECK ("api_tokens"."role" in ('partner','service','viewer','analyst','admin'))
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"subject_type" text,
	"subject" text,
	"note" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbound_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"sha256" "bytea" NOT NULL,
	"raw" "bytea" NOT NULL,
	"size" integer NOT NULL,
	"channel" text NOT NULL,
	"reporter" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"enqueued" boolean DEFAULT false NOT NULL,
	"failure_code" text,
	"failure_detail" text,
	"processed_at" timestamp with time zone,
	CONSTRAINT "inbound_messages_status_check" CHECK ("inbound_messages"."status" in ('queued','processed','ignored','failed'))
);
--> statement-breakpoint
CREATE TABLE "reports" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"inbound_id" bigint NOT NULL,
	"seq" smallint NOT NULL,
	"status" text NOT NULL,
	"format" text NOT NULL,
	"feedback_type" text NOT NULL,
	"raw_feedback_type" text,
	"channel" text NOT NULL,
	"reporter" text,
	"reporter_domain" text,
	"source_ip" "inet",
	"source_ip_origin" text,
	"source_port" integer,
	"original_mail_from" text,
	"original_rcpt_to" text[] DEFAULT '{}' NOT NULL,
	"original_from" text,
	"sender_domain" text,
	"arrival_date" timestamp with time zone,
	"message_id" text,
	"subject" text,
	"user_agent" text,
	"version" text,
	"reporting_mta" text,
	"incidents" integer,
	"reported_domains" text[] DEFAULT '{}' NOT NULL,
	"reported_uris" text[] DEFAULT '{}' NOT NULL,
	"auth_failure" text,
	"dkim_domain" text,
	"authentication_results" text,
	"tenant_id" text,
	"ip" "inet",
	"attribution_method" text NOT NULL,
	"sender_domain_registered" boolean,
	"weight" double precision NOT NULL,
	"scored_weight" double precision NOT NULL,
	"not_scored_reason" text,
	"warnings" text[] DEFAULT '{}' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "restriction_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject" text NOT NULL,
	"actor" text NOT NULL,
	"note" text,
	"ndr" text,
	"metrics" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"report_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "scores" (
	"subject_type" text NOT NULL,
	"subject" text NOT NULL,
	"complaints" double precision DEFAULT 0 NOT NULL,
	"volume" double precision DEFAULT 0 NOT NULL,
	"report_count" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'ok' NOT NULL,
	"status_since" timestamp with time zone,
	CONSTRAINT "scores_subject_type_subject_pk" PRIMARY KEY("subject_type","subject")
);
--> statement-breakpoint
CREATE TABLE "sending_ips" (
	"ip" "inet" PRIMARY KEY NOT NULL,
	"tenant_id" text,
	"pool" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sending_ips_owner" CHECK ("sending_ips"."tenant_id" is not null or "sending_ips"."pool" is not null)
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"contact_email" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_status" CHECK ("tenants"."status" in ('active','restricted_unregistered','suspended'))
);
--> statement-breakpoint
ALTER TABLE "accepted_domains" ADD CONSTRAINT "accepted_domains_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_inbound_id_inbound_messages_id_fk" FOREIGN KEY ("inbound_id") REFERENCES "public"."inbound_messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sending_ips" ADD CONSTRAINT "sending_ips_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "accepted_domains_tenant" ON "accepted_domains" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_hash" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_messages_sha256" ON "inbound_messages" USING btree ("sha256");--> statement-breakpoint
CREATE INDEX "inbound_messages_status" ON "inbound_messages" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "inbound_messages_unenqueued" ON "inbound_messages" USING btree ("id") WHERE not "inbound_messages"."enqueued";--> statement-breakpoint
CREATE UNIQUE INDEX "reports_inbound_seq" ON "reports" USING btree ("inbound_id","seq");--> statement-breakpoint
CREATE INDEX "reports_ip" ON "reports" USING btree ("ip","id");--> statement-breakpoint
CREATE INDEX "reports_tenant" ON "reports" USING btree ("tenant_id","id");--> statement-breakpoint
CREATE INDEX "reports_status" ON "reports" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "restriction_events_subject" ON "restriction_events" USING btree ("subject_type","subject","id");--> statement-breakpoint
CREATE INDEX "restriction_events_unpublished" ON "restriction_events" USING btree ("id") WHERE "restriction_events"."published_at" is null;--> statement-breakpoint
CREATE INDEX "scores_rank" ON "scores" USING btree ("subject_type","complaints");