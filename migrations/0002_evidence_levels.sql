CREATE TABLE "dkim_keys" (
	"domain" text NOT NULL,
	"selector" text NOT NULL,
	"key_type" text NOT NULL,
	"public_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dkim_keys_domain_selector_pk" PRIMARY KEY("domain","selector"),
	CONSTRAINT "dkim_keys_type" CHECK ("dkim_keys"."key_type" in ('rsa','ed25519'))
);
--> statement-breakpoint
CREATE TABLE "partner_domains" (
	"domain" text PRIMARY KEY NOT NULL,
	"partner" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partners" (
	"name" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reported_messages" (
	"key" "bytea" PRIMARY KEY NOT NULL,
	"trusted" boolean NOT NULL,
	"claimed_weight" double precision DEFAULT 0 NOT NULL,
	"first_inbound_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "evidence_level" text DEFAULT 'claimed' NOT NULL;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "evidence_detail" text;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "trusted_weight" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "scores" ADD COLUMN "trusted_complaints" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "partner_domains" ADD CONSTRAINT "partner_domains_partner_partners_name_fk" FOREIGN KEY ("partner") REFERENCES "public"."partners"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "partner_domains_partner" ON "partner_domains" USING btree ("partner");--> statement-breakpoint
CREATE INDEX "reports_claimed_ip" ON "reports" USING btree ("ip","created_at") WHERE "reports"."evidence_level" = 'claimed' and "reports"."scored_weight" > 0;--> statement-breakpoint
CREATE INDEX "reports_claimed_tenant" ON "reports" USING btree ("tenant_id","created_at") WHERE "reports"."evidence_level" = 'claimed' and "reports"."scored_weight" > 0;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_evidence_level" CHECK ("reports"."evidence_level" in ('verified','partner','claimed'));--> statement-breakpoint
-- Reports from before evidence levels: a webhook report came with a partner token, the rest are claimed.
UPDATE "reports" SET "evidence_level" = 'partner', "trusted_weight" = "scored_weight",
       "evidence_detail" = 'partner token ' || coalesce("reporter", '?')
 WHERE "channel" = 'webhook';--> statement-breakpoint
-- Trusted weight of existing scores: their webhook reports, decayed (default half-life, 24 h) to the score's own time.
UPDATE "scores" s SET "trusted_complaints" = least(s."complaints", (
  SELECT coalesce(sum(r."trusted_weight" * power(0.5, least(1000, greatest(0, extract(epoch from (s."updated_at" - r."created_at"))) / 86400))), 0)
    FROM "reports" r WHERE r."trusted_weight" <> 0 AND r."ip" = s."subject"::inet))
 WHERE s."subject_type" = 'ip';--> statement-breakpoint
UPDATE "scores" s SET "trusted_complaints" = least(s."complaints", (
  SELECT coalesce(sum(r."trusted_weight" * power(0.5, least(1000, greatest(0, extract(epoch from (s."updated_at" - r."created_at"))) / 86400))), 0)
    FROM "reports" r WHERE r."trusted_weight" <> 0 AND r."tenant_id" = s."subject"
     AND (s."subject_type" = 'tenant' OR r."sender_domain_registered" = false)))
 WHERE s."subject_type" IN ('tenant', 'tenant_unregistered');
