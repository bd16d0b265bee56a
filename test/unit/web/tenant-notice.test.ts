import { describe, expect, it } from 'vitest';
import { tenantNoticeMail } from '../../../src/notices/tenant-notice-text.ts';

const facts = {
  tenantId: 'contoso',
  tenantName: 'Contoso',
  metrics: { complaints: 10, rate: null },
  createdAt: new Date('2026-11-23T10:00:00Z'),
  publicUrl: 'https://repute.example',
};

describe('tenant notices', () => {
  it('tells a restricted tenant what happened, the NDR its users see and what to do', () => {
    const mail = tenantNoticeMail({
      ...facts,
      type: 'tenant.restricted_unregistered',
      ndr: '550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains.',
    });
    expect(mail.subject).toBe('Action needed: Contoso can no longer send from unregistered domains');
    expect(mail.text).toContain('Since 2026-11-23 10:00 UTC');
    expect(mail.text).toContain(
      '    550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains.',
    );
    expect(mail.text).toContain('complaints about mail sent from domains you have not registered: 10');
    expect(mail.text).toMatch(/Register every domain[\s\S]*connectors[\s\S]*relays/);
  });

  it('warns before a restriction, naming the NDR that would follow', () => {
    const mail = tenantNoticeMail({ ...facts, type: 'tenant.warned', ndr: null });
    expect(mail.subject).toBe('Warning: complaints about mail from unregistered domains of Contoso');
    expect(mail.text).toContain('Nothing is blocked yet');
    expect(mail.text).toContain('550 5.7.750');
  });
});
