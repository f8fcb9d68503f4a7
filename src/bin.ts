#!/usr/bin/env node
// The native-guard command. Everything it does is main() in cli.ts; this file only runs it.
import { main } from './cli.js';

process.exitCode = await main();
