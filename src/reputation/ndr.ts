/** The texts an MTA puts in its 550 reply; senders paste them into support tickets, so they are stable. */
export const blockedIpNdr = (ip: string, publicUrl: string): string =>
  `550 5.7.606 Access denied, banned sending IP [${ip}]. To request removal from this list please visit ${publicUrl}/delist and follow the directions.`;

export const unregisteredDomainNdr = (): string =>
  '550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains.';
