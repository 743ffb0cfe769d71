// kafkajs as every part of commerce-cdc loads it: with the produce path's hot internals replaced by
// the ones in produceEncoding.ts (same bytes, far less CPU per record), and the fetch path's record
// batch decoder by the one in fetchDecoding.ts (same records). kafkajs requires these
// modules by relative path, so they are swapped in Node's CommonJS module cache before kafkajs
// itself loads; import kafkajs from here, never from 'kafkajs' directly (type imports are fine).
// The replacement is tied to the kafkajs version it was written against: with another version
// kafkajs runs unchanged.
import { createRequire } from 'node:module';
import type * as KafkaJs from 'kafkajs';
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

function install(): void {
  const version = (require('kafkajs/package.json') as { version: string }).version;
  if (version !== FAST_PRODUCE_FOR) return;
  const paths = Object.fromEntries(Object.entries(MODULES).map(([k, p]) => [k, require.resolve(p)])) as Record<keyof typeof MODULES, string>;
  // already loaded (imported directly from 'kafkajs' before this module): its modules hold the originals
  if (require.cache[paths.group] && require.cache[require.resolve('kafkajs')]) return;
  // load the originals, then put the replacements where kafkajs' own modules will find them
  const originals: KafkajsOriginals = {
    groupMessagesPerPartition: require(paths.group) as KafkajsOriginals['groupMessagesPerPartition'],
    produceRequestV3: require(paths.produce) as KafkajsOriginals['produceRequestV3'],
    recordBatchDecoder: require(paths.recordBatch) as RecordBatchDecoder,
  };
  require.cache[paths.group]!.exports = groupMessagesPerPartition;
  require.cache[paths.produce]!.exports = makeProduceRequestV3(require(paths.encoder) as EncoderCtor, require(paths.long) as LongStatic, originals.produceRequestV3);
  require.cache[paths.recordBatch]!.exports = makeRecordBatchDecoder(originals.recordBatchDecoder);
  kafkajsOriginals = originals;
}

install();

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
