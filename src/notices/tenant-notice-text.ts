import { unregisteredDomainNdr } from '../reputation/ndr.ts';

/** What a tenant's admins are told about a restriction event. Pure: text from facts. */

export interface NoticeFacts {
  type: string;
  tenantId: string;
  tenantName: string;
  ndr: string | null;
  metrics: Record<string, unknown>;
  createdAt: Date;
  publicUrl: string;
}

export const NOTICE_EVENTS = new Set(['tenant.warned', 'tenant.restricted_unregistered']);

const num = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(1)) : null);

export function tenantNoticeMail(f: NoticeFacts): { subject: string; text: string } {
  const complaints = num(f.metrics.complaints);
  const rate = typeof f.metrics.rate === 'number' ? `${(f.metrics.rate * 100).toFixed(2)} %` : null;
  const evidence = [
    complaints
      ? `- complaints about mail sent from domains you have not registered: ${complaints} (recent, weighted)`
      : null,
    rate ? `- complaint rate of that mail: ${rate}` : null,
  ].filter(Boolean);
  const ndr = f.ndr ?? unregisteredDomainNdr();
  const todo = [
    'What to do:',
    '1. Register every domain your users send from, or stop sending from the ones that are not yours.',
    '2. Review your inbound connectors: mail relayed through the platform should only come from servers you run.',
    '3. Secure on-premises relays and devices (open relays, compromised accounts, scanners, forms).',
  ];
  const when = f.createdAt.toISOString().replace('T', ' ').slice(0, 16);
  if (f.type === 'tenant.restricted_unregistered') {
    return {
      subject: `Action needed: ${f.tenantName} can no longer send from unregistered domains`,
      text: [
        `Hello ${f.tenantName} administrators,`,
        '',
        `Since ${when} UTC your organisation (tenant "${f.tenantId}") may send mail only from the domains it has registered with us.`,
        'We restricted it because recipients complained about mail sent through your account from domains you have not registered,',
        'which is the usual sign of a compromised account, connector or on-premises relay.',
        '',
        ...evidence,
        '',
        'Users who send from an unregistered domain now get this bounce (NDR):',
        '',
        `    ${ndr}`,
        '',
        'Mail from your registered domains is not affected.',
        '',
        ...todo,
        '4. Then reply to this mail or contact support, saying what you checked. The trust team lifts the restriction once',
        '   all sending domains are registered, connectors reviewed and relays secured.',
        '',
        '-- ',
        'The abuse desk',
      ].join('\n'),
    };
  }
  return {
    subject: `Warning: complaints about mail from unregistered domains of ${f.tenantName}`,
    text: [
      `Hello ${f.tenantName} administrators,`,
      '',
      `Recipients are complaining about mail sent through your account (tenant "${f.tenantId}") from domains you have not registered with us.`,
      'Nothing is blocked yet. If the complaints continue, your organisation will be restricted to its registered domains,',
      'and users sending from any other domain will get this bounce (NDR):',
      '',
      `    ${unregisteredDomainNdr()}`,
      '',
      ...evidence,
      '',
      ...todo,
      '',
      `Questions? Reply to this mail or contact support. (${f.publicUrl})`,
      '',
      '-- ',
      'The abuse desk',
    ].join('\n'),
  };
}
