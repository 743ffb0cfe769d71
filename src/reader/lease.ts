import { hostname } from 'node:os';
import type { Admin, Consumer, GroupDescription, Kafka, PartitionAssigner } from 'kafkajs';
import kafkajs from '../kafka/kafkajs.js';
import { topicNames } from '../kafka/topics.js';
import type { Logger } from '../log.js';

const { AssignerProtocol } = kafkajs;

// The reader lease (reader.ha): every reader of a prefix joins the consumer group
// <prefix>.reader.lease on the one-partition topic of the same name; the member the
// group assigns partition 0 is the active reader. The assignor is sticky: a member
// that says it holds the lease keeps it through rebalances (a standby joining or
// leaving moves nothing). The lease decides who tries; the transactional id all
// readers of a prefix share is what makes a late writer harmless (docs/internals.md,
// "Reader high availability").
//
// A holder counts its lease valid until the send time of its last confirmed heartbeat
// (or SyncGroup) + the session timeout - a guard: the coordinator cannot expire the
// member before the send time + the session timeout, so a holder cut off from the
// broker, or frozen, stops streaming before the group can give the partition to
// another member.

/** What a member tells the group about itself (the member metadata's user data, JSON). */
export interface LeaseMember {
  instance: string;
  host: string;
  pid: number;
  /** Since when (ms since the epoch) this member holds the lease; null while it stands by. */
  heldSince: number | null;
}

export interface LeaseFigures {
  /** The group's state: Stable, PreparingRebalance, CompletingRebalance or Empty. */
  state: string;
  active: (LeaseMember & { memberId: string }) | null;
  standbys: Array<LeaseMember & { memberId: string }>;
}

const PROTOCOL = 'ReaderLease';

/** This process's name in the lease: reader.ha.instance, else <hostname>:<pid>. */
export function leaseInstance(configured: string): string {
  return configured || `${hostname()}:${process.pid}`;
}

function memberOf(metadata: Buffer | undefined): LeaseMember | null {
  if (!metadata?.length) return null;
  try {
    const data = AssignerProtocol.MemberMetadata.decode(metadata)?.userData;
    if (!data?.length) return null;
    const m = JSON.parse(data.toString('utf8')) as Partial<LeaseMember>;
    return typeof m.instance === 'string' ? { instance: m.instance, host: String(m.host ?? ''), pid: Number(m.pid ?? 0), heldSince: typeof m.heldSince === 'number' ? m.heldSince : null } : null;
  } catch {
    return null;
  }
}

function holdsPartition(assignment: Buffer | undefined, topic: string): boolean {
  if (!assignment?.length) return false;
  try {
    return AssignerProtocol.MemberAssignment.decode(assignment)?.assignment[topic]?.includes(0) ?? false;
  } catch {
    return false;
  }
}

/**
 * The member to hold the lease: the one that says it has held it since the latest time (an older
 * claim is a holder the group has since replaced), else the first by member id.
 */
export function chooseHolder(members: ReadonlyArray<{ memberId: string; member: LeaseMember | null }>): string | undefined {
  const byId = [...members].sort((a, b) => a.memberId.localeCompare(b.memberId));
  const claims = byId.filter((m) => m.member?.heldSince != null).sort((a, b) => b.member!.heldSince! - a.member!.heldSince!);
  return (claims[0] ?? byId[0])?.memberId;
}

/** Who holds the lease and who stands by, from the group's description. */
export function leaseFigures(group: GroupDescription, topic: string): LeaseFigures {
  const members = group.members.map((m) => ({
    memberId: m.memberId,
    ...(memberOf(m.memberMetadata) ?? { instance: m.clientId, host: m.clientHost, pid: 0, heldSince: null }),
    holds: holdsPartition(m.memberAssignment, topic),
  }));
  const strip = ({ holds: _h, ...m }: (typeof members)[number]) => m;
  const active = members.find((m) => m.holds);
  return { state: group.state, active: active ? strip(active) : null, standbys: members.filter((m) => !m.holds).map(strip) };
}

/** The lease of a prefix as the group coordinator sees it; null when no reader of the prefix ever ran with reader.ha. */
export async function describeLease(admin: Admin, prefix: string): Promise<LeaseFigures | null> {
  const name = topicNames(prefix).readerLease;
  const { groups } = await admin.describeGroups([name]);
  const g = groups[0];
  if (!g || (g.state === 'Dead' && !g.members.length)) return null;
  return leaseFigures(g, name);
}

export interface ReaderLeaseOptions {
  kafka: Kafka;
  prefix: string;
  sessionTimeoutMs: number;
  instance: string;
  log: Logger;
  /** Called whenever held() may have changed. */
  onChange: () => void;
  /** The group membership failed for good (kafkajs does not restart it). */
  onFail: (e: unknown) => void;
}

export class ReaderLease {
  readonly topic: string;
  private readonly o: ReaderLeaseOptions;
  private consumer: Consumer | undefined;
  private assigned = false;
  private heldSince: number | null = null;
  private validUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Send time of the last Heartbeat and SyncGroup requests answered (kafkajs' request events). */
  private readonly sentAt = new Map<string, number>();
  /** The lease is given up this long before the coordinator could expire the member. */
  private readonly guardMs: number;
  /** The active reader as this member last saw the group (null: none, or not known yet). */
  holder: LeaseFigures['active'] = null;

  constructor(o: ReaderLeaseOptions) {
    this.o = o;
    this.topic = topicNames(o.prefix).readerLease;
    this.guardMs = Math.max(1000, Math.floor(o.sessionTimeoutMs / 5));
  }

  /** Does this member hold the lease now. */
  held(): boolean {
    return this.assigned && Date.now() < this.validUntil;
  }

  get since(): number | null {
    return this.held() ? this.heldSince : null;
  }

  /** Joins the group; resolves after the first assignment (held() answers from then on). */
  async start(): Promise<void> {
    const c = this.createConsumer();
    this.consumer = c;
    await c.connect();
    await c.subscribe({ topic: this.topic, fromBeginning: false });
    // run() resolves once the member has joined the group and has its assignment
    await c.run({ autoCommit: false, eachBatch: async () => undefined });
  }

  /** Leaves the group (the coordinator rebalances at once instead of after the session timeout). */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.assigned = false;
    this.heldSince = null;
    const c = this.consumer;
    this.consumer = undefined;
    await c?.disconnect().catch(() => undefined);
  }

  /** Gives the lease up and joins again as a new member, standing by unless no other member claims it. */
  async rejoin(): Promise<void> {
    await this.stop();
    this.o.onChange();
    await this.start();
  }

  private createConsumer(): Consumer {
    const { kafka, sessionTimeoutMs } = this.o;
    // heartbeats every tenth of the session: a lost one or two leave the lease valid; the
    // empty partition's fetch waits no longer than that, so heartbeats are not held up by it
    const heartbeatMs = Math.max(500, Math.floor(sessionTimeoutMs / 10));
    const c = kafka.consumer({
      groupId: this.topic,
      sessionTimeout: sessionTimeoutMs,
      // a rebalance waits no longer for a member than the session timeout (the guarantee above needs both)
      rebalanceTimeout: sessionTimeoutMs,
      heartbeatInterval: heartbeatMs,
      maxWaitTimeInMs: heartbeatMs,
      allowAutoTopicCreation: false,
      partitionAssigners: [this.assigner()],
    });
    c.on(c.events.REQUEST, ({ payload }) => {
      if (payload.apiName === 'Heartbeat' || payload.apiName === 'SyncGroup') this.sentAt.set(payload.apiName, payload.sentAt);
    });
    // a heartbeat answered without error: the member is still in the generation that gave it the partition
    c.on(c.events.HEARTBEAT, () => {
      if (this.assigned) this.confirm(this.sentAt.get('Heartbeat'));
    });
    c.on(c.events.GROUP_JOIN, ({ payload }) => this.joined(payload.memberAssignment[this.topic] ?? []));
    c.on(c.events.CRASH, ({ payload }) => {
      this.o.log.warn({ err: payload.error, restart: payload.restart }, 'reader lease: group membership lost');
      if (!payload.restart) this.o.onFail(payload.error);
    });
    return c;
  }

  private joined(partitions: number[]): void {
    this.assigned = partitions.includes(0);
    if (this.assigned) this.confirm(this.sentAt.get('SyncGroup'));
    else {
      clearTimeout(this.timer);
      this.heldSince = null;
      this.validUntil = 0;
    }
    this.o.onChange();
    void this.lookUpHolder();
  }

  private confirm(sentAt: number | undefined): void {
    if (sentAt === undefined) return;
    const was = this.held();
    this.validUntil = Math.max(this.validUntil, sentAt + this.o.sessionTimeoutMs - this.guardMs);
    if (!was && this.held()) {
      this.heldSince = Date.now();
      this.o.onChange();
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.held()) return;
      this.heldSince = null;
      this.o.log.warn({ instance: this.o.instance, lastConfirmedMsAgo: Date.now() - (this.validUntil - this.o.sessionTimeoutMs + this.guardMs) }, 'reader lease expired: no heartbeat confirmed in time');
      this.o.onChange();
    }, Math.max(0, this.validUntil - Date.now()) + 1);
    this.timer.unref();
  }

  private async lookUpHolder(): Promise<void> {
    try {
      const g = await this.consumer?.describeGroup();
      if (!g) return;
      this.holder = leaseFigures(g, this.topic).active;
      if (!this.assigned) this.o.log.info({ instance: this.o.instance, active: this.holder?.instance ?? null, activeHost: this.holder?.host ?? null }, 'reader standing by');
    } catch (e) {
      this.o.log.debug({ err: e }, 'reader lease: cannot describe the group');
    }
  }

  private assigner(): PartitionAssigner {
    const topic = this.topic;
    return () => ({
      name: PROTOCOL,
      version: 0,
      assign: async ({ members }) => {
        const list = members.map((m) => ({ memberId: m.memberId, member: memberOf(m.memberMetadata) }));
        const holder = chooseHolder(list);
        return list.map((m) => ({
          memberId: m.memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: m.memberId === holder ? { [topic]: [0] } : {}, userData: Buffer.alloc(0) }),
        }));
      },
      protocol: ({ topics }) => {
        // asked at every join: a holder whose lease lapsed claims nothing
        const me: LeaseMember = { instance: this.o.instance, host: hostname(), pid: process.pid, heldSince: this.since };
        return { name: PROTOCOL, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.from(JSON.stringify(me)) }) };
      },
    });
  }
}
