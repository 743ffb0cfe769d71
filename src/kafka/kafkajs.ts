// kafkajs as every part of commerce-cdc loads it: with the produce path's hot internals replaced by
// the ones in produceEncoding.ts (same bytes, far less CPU per record), and the fetch path's record
// batch decoder by the one in fetchDecoding.ts (same records). kafkajs requires these
// modules by relative path, so they are swapped in Node's CommonJS module cache before kafkajs
// itself loads; import kafkajs from here, never from 'kafkajs' directly (type imports are fine).
// The replacement is tied to the kafkajs version it was written against: with another version
// kafkajs runs unchanged, and `fastPath` says so (createConnector logs KAFKAJS_FAST_PATH_INACTIVE
// and sets the gauge cdc_kafkajs_fast_path to 0).
import { createRequire } from 'node:module';
import type * as KafkaJs from 'kafkajs';
import type { Logger } from '../log.js';
import { makeRecordBatchDecoder, type RecordBatchDecoder } from './fetchDecoding.js';
import { groupMessagesPerPartition, makeProduceRequestV3, type EncoderCtor, type LongStatic, type ProduceArgs, type ProduceRequest } from './produceEncoding.js';

const require = createRequire(import.meta.url);

/** The kafkajs version whose internals produceEncoding.ts and fetchDecoding.ts mirror. */
export const FAST_PRODUCE_FOR = '2.2.4';

const MODULES = {
  group: 'kafkajs/src/producer/groupMessagesPerPartition.js',
  produce: 'kafkajs/src/protocol/requests/produce/v3/request.js',
  recordBatch: 'kafkajs/src/protocol/recordBatch/v0/decoder.js',
  encoder: 'kafkajs/src/protocol/encoder.js',
  long: 'kafkajs/src/utils/long.js',
};

export interface KafkajsOriginals {
  groupMessagesPerPartition: typeof groupMessagesPerPartition;
  produceRequestV3: (a: ProduceArgs) => ProduceRequest;
  recordBatchDecoder: RecordBatchDecoder;
}

/** kafkajs' own versions of what was replaced (the fallback for compressed requests and batches, and the tests' reference); undefined when nothing was. */
export let kafkajsOriginals: KafkajsOriginals | undefined;

/** Whether the replacements are in place, and why not. */
export interface FastPathStatus {
  active: boolean;
  version: string;
  reason?: string;
}

/** Puts the replacements in place for kafkajs `version` (the installed one), unless it is another version or already loaded. */
export function installFastPath(version: string, req: NodeJS.Require = require): FastPathStatus {
  if (version !== FAST_PRODUCE_FOR) return { active: false, version, reason: `written for kafkajs ${FAST_PRODUCE_FOR}, installed ${version}` };
  const paths = Object.fromEntries(Object.entries(MODULES).map(([k, p]) => [k, req.resolve(p)])) as Record<keyof typeof MODULES, string>;
  // already loaded (imported directly from 'kafkajs' before this module): its modules hold the originals
  if (req.cache[paths.group] && req.cache[req.resolve('kafkajs')]) {
    return { active: kafkajsOriginals !== undefined, version, reason: kafkajsOriginals ? undefined : "kafkajs was loaded before src/kafka/kafkajs.ts" };
  }
  // load the originals, then put the replacements where kafkajs' own modules will find them
  const originals: KafkajsOriginals = {
    groupMessagesPerPartition: req(paths.group) as KafkajsOriginals['groupMessagesPerPartition'],
    produceRequestV3: req(paths.produce) as KafkajsOriginals['produceRequestV3'],
    recordBatchDecoder: req(paths.recordBatch) as RecordBatchDecoder,
  };
  req.cache[paths.group]!.exports = groupMessagesPerPartition;
  req.cache[paths.produce]!.exports = makeProduceRequestV3(req(paths.encoder) as EncoderCtor, req(paths.long) as LongStatic, originals.produceRequestV3);
  req.cache[paths.recordBatch]!.exports = makeRecordBatchDecoder(originals.recordBatchDecoder);
  kafkajsOriginals = originals;
  return { active: true, version };
}

/** The state of this process's kafkajs. */
export const fastPath: FastPathStatus = installFastPath((require('kafkajs/package.json') as { version: string }).version);

/** Logs KAFKAJS_FAST_PATH_INACTIVE once per call when the replacements are not in place, and sets the gauge. */
export function reportFastPath(log: Pick<Logger, 'warn'>, gauge: { set(v: number): void }, status: FastPathStatus = fastPath): void {
  gauge.set(status.active ? 1 : 0);
  if (status.active) return;
  log.warn({ code: 'KAFKAJS_FAST_PATH_INACTIVE', kafkajs: status.version, reason: status.reason }, `kafkajs runs its own produce and fetch code (${status.reason}): correct, but slower`);
}

interface RequestQueueLike {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
}

/**
 * kafkajs 2.2.4 schedules its throttle check with `throttledUntil - Date.now()` even when it is not
 * throttled (throttledUntil -1): a negative delay, which Node.js clamps to 1 ms, and which Node.js
 * 24 also reports on stderr as a TimeoutNegativeWarning at every response. Same method, the delay
 * clamped by us, so no warning (and the CLI's errors stay one line).
 */
function clampThrottleCheck(): void {
  const version = (require('kafkajs/package.json') as { version: string }).version;
  if (version !== FAST_PRODUCE_FOR) return;
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueueLike & { scheduleCheckPendingRequests(): void } };
  RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueLike) {
    let scheduleAt = this.throttledUntil - Date.now();
    if (!this.throttleCheckTimeoutId) {
      if (this.pending.length > 0) scheduleAt = scheduleAt > 0 ? scheduleAt : 10;
      this.throttleCheckTimeoutId = setTimeout(() => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      }, Math.max(1, scheduleAt));
    }
  };
}

clampThrottleCheck();

const kafkajs = require('kafkajs') as typeof KafkaJs;
export default kafkajs;
