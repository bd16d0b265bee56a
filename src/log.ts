import { type Logger, pino } from 'pino';

export type { Logger };

/** The one logger. JSON lines on stdout; children carry the report id, job id, component. */
export function createLogger(level: string = 'info'): Logger {
  return pino({ level, base: { service: 'repute' } });
}
