export const USAGE = `Usage: repute <command> [options]

Set-up
  migrate                                     apply pending database migrations
  tenant add ID --name NAME [--domain D]... [--contact EMAIL]
  domain add TENANT DOMAIN                    register a sending domain for a tenant
  ip add IP (--tenant ID | --shared [--pool NAME])
  token create --role ROLE --name NAME        prints the new token alone on stdout
                                              roles: partner service viewer analyst admin
  token list                                  tokens with their ids, roles and state (never the token)
  token revoke ID                             stop a token working (within 10 s everywhere)
Evidence
  dkim add DOMAIN SELECTOR PUBLIC_KEY_FILE    a key the platform signs outbound mail with (PEM or the
                                              DNS TXT record): originals signed with it are verified
  dkim list | dkim remove DOMAIN SELECTOR
  partner add NAME --domain D [--domain D]... a feedback-loop partner: ARF it mails DKIM-signed by
                                              one of its domains is partner evidence
  partner list | partner remove NAME
Operations
  import PATH [--reporter NAME]               old reports from a folder (.eml files, a Maildir) or an
                                              mbox, queued for the workers; nothing is imported twice
  scores top [--ips|--tenants] [--limit N] [--order complaints|rate]
                                              the worst subjects first, with rate and Wilson bounds
  webhook add URL [--secret S] [--events ip.blocked,...]
                                              subscribe a URL to restriction events (all by default);
                                              prints the signing secret once
  webhook list                                webhooks with their pending / delivered / failed counts
  webhook remove ID                           stop delivering to a webhook (pending deliveries cancelled)
  dnsbl export [--out FILE] [--format combined|ip4set|ip6trie]
                                              the blocked IPs as an rbldnsd zone (DNSBL_ZONE_FILE is
                                              rewritten on every change when set)
Running
  serve                                       the HTTP API
  work                                        the queue workers
  imap                                        the abuse mailbox poller (IMAP_URL, IMAP_ACCESS_TOKEN, ...)
  start                                       migrations, then HTTP and workers (and the poller
                                              when IMAP_URL is set) in one process

Configuration comes from the environment (DATABASE_URL, REDIS_URL, PORT, ...): see README.md.
`;
