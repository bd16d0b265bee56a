#!/usr/bin/env node
// The `repute` command. Repute is written in TypeScript and run through tsx, so a
// fresh `npm ci` is all it takes: no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
