import type { Command } from 'commander';
import { registerVersion } from './version.js';
import { registerConfig } from './config.js';
import { registerStatus } from './status.js';
import { registerResync } from './resync.js';
import { registerEstimate } from './estimate.js';
import { registerReader } from './reader.js';
import { registerRun } from './run.js';
import { registerExporter } from './exporter.js';
import { registerPublisher } from './publisher.js';
import { registerReceiver } from './receiver.js';
import { registerSeed } from './seed.js';
import { registerVerify } from './verify.js';

/** Each command module registers itself on the program. */
export type Register = (program: Command) => void;

export const commands: Register[] = [registerVersion, registerConfig, registerStatus, registerVerify, registerResync, registerEstimate, registerReader, registerRun, registerExporter, registerPublisher, registerReceiver, registerSeed];
