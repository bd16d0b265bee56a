#!/usr/bin/env node
// The `repute` command. Repute is written in TypeScript and run through tsx, so a
// fresh `npm ci` is all it takes: no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
const status = await main(process.argv.slice(2));
process.exitCode = status;
// Everything is closed by now and the process ends by itself, output flushed; should a
// library leave a timer or socket behind, it still ends, with this status.
setTimeout(() => process.exit(status), 1000).unref();
