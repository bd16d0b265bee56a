import { describe, expect, it } from 'vitest';
import { reporterOf } from '../../../src/mailbox/reporter.ts';

const envelope = (address?: string) => ({ from: address ? [{ address }] : [] });

describe('reporterOf', () => {
  it('is the envelope sender the delivering MTA wrote as Return-Path', () => {
    expect(reporterOf('Return-Path: <Jane.Doe@Recipient.example>\r\n\r\n', envelope('other@x.example'))).toBe(
      'jane.doe@recipient.example',
    );
  });

  it('falls back to the From address for a null sender or no Return-Path', () => {
    expect(reporterOf('Return-Path: <>\r\n\r\n', envelope('fbl@partner.example'))).toBe(
      'fbl@partner.example',
    );
    expect(reporterOf(undefined, envelope('FBL@Partner.example'))).toBe('fbl@partner.example');
  });

  it('is null when neither names an address', () => {
    expect(reporterOf('Return-Path: garbage\r\n', envelope())).toBeNull();
    expect(reporterOf(undefined, undefined)).toBeNull();
  });
});
