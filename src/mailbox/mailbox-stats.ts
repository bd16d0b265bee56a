/** Counters of one poller, for logs, tests and metrics. */
export interface MailboxStats {
  connected: boolean;
  /** Successful connections (logins) so far. */
  connects: number;
  /** Connections lost or refused. */
  connectionFailures: number;
  /** Messages stored (including duplicates of bytes stored before). */
  accepted: number;
  duplicates: number;
  /** Moved from INBOX to the processed folder. */
  moved: number;
  /** Moved to the failed folder (parse failures, messages too large to store). */
  movedToFailed: number;
  /** Store attempts that failed; the message stayed in INBOX. */
  intakeFailures: number;
}

export const emptyStats = (): MailboxStats => ({
  connected: false,
  connects: 0,
  connectionFailures: 0,
  accepted: 0,
  duplicates: 0,
  moved: 0,
  movedToFailed: 0,
  intakeFailures: 0,
});
