import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Logger } from '../log.js';

// The reader's position: a value object (GTID, file, pos) and its storage, the
// compacted `<prefix>.reader.offsets` topic, written in the same Kafka
// transaction as the events it covers (docs/internals.md, Reader position).

export interface BinlogPosition {
  file: string;
  pos: number;
  /** MariaDB GTID position: the last GTID per domain, comma separated ("0-1-42,1-2-7"); null when unknown. */
  gtid: string | null;
  /** Binlog time of the last covered event (or the heartbeat time when caught up), ms. */
  ts_ms: number;
}

export interface SnapshotProgress {
  /** Where streaming starts once the snapshot is done. */
  position: BinlogPosition;
  /** entities mode: feeds finished; rows mode: tables finished. */
  feedsDone: string[];
  /** The unit being read and the last primary key (JSON array text) of its last finished chunk. */
  current: { feed: string; lastId: string } | null;
}

export interface PositionRecord extends BinlogPosition {
  version: 1;
  serverId: number;
  snapshot: SnapshotProgress | null;
}

export const POSITION_KEY = 'reader';

/** Tracks the last GTID per replication domain, MariaDB's resume position. */
export class GtidState {
  private readonly domains = new Map<string, string>();

  constructor(initial?: string | null) {
    for (const g of (initial ?? '').split(',').map((s) => s.trim()).filter(Boolean)) this.add(g);
  }

  add(gtid: string): void {
    const domain = gtid.split('-')[0] ?? '0';
    this.domains.set(domain, gtid);
  }

  toString(): string | null {
    return this.domains.size ? [...this.domains.values()].join(',') : null;
  }
}

/**
 * Reads the last committed position record (read_committed). The topic is
 * compacted with one key, so the tail holds it; reading starts a window before
 * the end and falls back to the whole topic when the window had none.
 */
export async function readStoredPosition(kafka: Kafka, topic: string, log: Logger, timeoutMs = 60_000): Promise<PositionRecord | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  let low: bigint;
  let high: bigint;
  try {
    const offs = await admin.fetchTopicOffsets(topic);
    const p0 = offs.find((o) => o.partition === 0);
    low = BigInt(p0?.low ?? '0');
    high = BigInt(p0?.high ?? '0');
  } finally {
    await admin.disconnect();
  }
  if (high <= low) return undefined;
  const window = 2000n;
  const tryFrom = async (start: bigint): Promise<PositionRecord | undefined> => {
    const consumer = kafka.consumer({ groupId: `${topic}.position-${randomBytes(4).toString('hex')}`, readUncommitted: false, allowAutoTopicCreation: false });
    let last: PositionRecord | undefined;
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        let idle: NodeJS.Timeout | undefined;
        const overall = setTimeout(() => reject(new Error(`timed out reading the stored position from ${topic}`)), timeoutMs);
        const finish = () => {
          clearTimeout(overall);
          if (idle) clearTimeout(idle);
          resolve();
        };
        // a tail of aborted records or transaction markers may never be delivered: stop when nothing more comes
        const arm = () => {
          if (idle) clearTimeout(idle);
          idle = setTimeout(finish, 3000);
        };
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart) reject(payload.error);
        });
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              for (const m of batch.messages) {
                if (m.key?.toString() !== POSITION_KEY || !m.value) continue;
                try {
                  last = normalise(JSON.parse(m.value.toString()) as PositionRecord);
                } catch {
                  log.warn({ offset: m.offset }, 'unreadable position record skipped');
                }
              }
              if (BigInt(batch.lastOffset()) >= high - 1n) finish();
              else arm();
            },
          })
          .then(() => {
            try {
              consumer.seek({ topic, partition: 0, offset: start.toString() });
            } catch (e) {
              // kafkajs is restarting the consumer (a coordinator still loading after a broker
              // restart): without the seek it reads from the beginning, which finds the same record.
              // Thrown here it would end the process as an unhandled rejection.
              log.debug({ err: e }, 'position read: seek refused while the consumer restarts; reading from the beginning');
            }
            arm();
          }, reject);
      });
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
    return last;
  };
  const start = high - window > low ? high - window : low;
  return (await tryFrom(start)) ?? (start > low ? tryFrom(low) : undefined);
}

/** Records written by hand or by older versions may carry positions as strings. */
function normalise(r: PositionRecord): PositionRecord {
  const snapshot = r.snapshot ? { ...r.snapshot, position: { ...r.snapshot.position, pos: Number(r.snapshot.position.pos) } } : null;
  return { ...r, pos: Number(r.pos), ts_ms: Number(r.ts_ms), snapshot };
}

export function positionRecord(serverId: number, p: BinlogPosition, snapshot: SnapshotProgress | null): PositionRecord {
  return { version: 1, serverId, gtid: p.gtid, file: p.file, pos: p.pos, ts_ms: p.ts_ms, snapshot };
}
