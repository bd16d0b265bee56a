export const USAGE = `Usage: repute <command> [options]

Set-up
  migrate                                     apply pending database migrations
  tenant add ID --name NAME [--domain D]... [--contact EMAIL]
  domain add TENANT DOMAIN                    register a sending domain for a tenant
  ip add IP (--tenant ID | --shared [--pool NAME])
  token create --role ROLE --name NAME        prints the new token alone on stdout
                                              roles: partner service viewer analyst admin
Running
  serve                                       the HTTP API
  work                                        the queue workers
  start                                       migrations, then HTTP and workers in one process

Configuration comes from the environment (DATABASE_URL, REDIS_URL, PORT, ...): see README.md.
`;
