// The reader lease's assignor choice and the group description `status` reads
// (src/reader/lease.ts), with the member data encoded as kafkajs puts it on the wire.
import type { GroupDescription } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import kafkajs from '../../src/kafka/kafkajs.js';
import { chooseHolder, leaseFigures, type LeaseMember } from '../../src/reader/lease.js';

const { AssignerProtocol } = kafkajs;
const TOPIC = 'p.reader.lease';
const member = (instance: string, heldSince: number | null): LeaseMember => ({ instance, host: 'h', pid: 1, heldSince });

describe('reader lease', () => {
  it('keeps the lease with the member that holds it, the latest claim winning over an older one', () => {
    expect(chooseHolder([{ memberId: 'a', member: member('r1', null) }, { memberId: 'b', member: member('r2', 1000) }])).toBe('b');
    // a zombie that still claims its older lease loses to the member the group gave it to since
    expect(chooseHolder([{ memberId: 'a', member: member('old', 1000) }, { memberId: 'b', member: member('new', 2000) }, { memberId: 'c', member: member('r3', null) }])).toBe('b');
  });

  it('gives an unclaimed lease to the first member by id, whatever order they come in', () => {
    expect(chooseHolder([{ memberId: 'm-2', member: member('r2', null) }, { memberId: 'm-1', member: null }])).toBe('m-1');
    expect(chooseHolder([])).toBeUndefined();
  });

  it('reads the holder and the standbys from the group description', () => {
    const meta = (m: LeaseMember) => AssignerProtocol.MemberMetadata.encode({ version: 0, topics: [TOPIC], userData: Buffer.from(JSON.stringify(m)) });
    const assignment = (parts: number[]) => AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: parts.length ? { [TOPIC]: parts } : {}, userData: Buffer.alloc(0) });
    const group = {
      groupId: TOPIC,
      protocol: 'ReaderLease',
      protocolType: 'consumer',
      state: 'Stable',
      members: [
        { memberId: 'a', clientId: 'c', clientHost: '/10.0.0.1', memberMetadata: meta(member('r1', null)), memberAssignment: assignment([]) },
        { memberId: 'b', clientId: 'c', clientHost: '/10.0.0.2', memberMetadata: meta(member('r2', 5)), memberAssignment: assignment([0]) },
        { memberId: 'x', clientId: 'other', clientHost: '/10.0.0.3', memberMetadata: Buffer.alloc(0), memberAssignment: Buffer.alloc(0) },
      ],
    } as unknown as GroupDescription;
    expect(leaseFigures(group, TOPIC)).toEqual({
      state: 'Stable',
      active: { memberId: 'b', ...member('r2', 5) },
      standbys: [
        { memberId: 'a', ...member('r1', null) },
        { memberId: 'x', instance: 'other', host: '/10.0.0.3', pid: 0, heldSince: null },
      ],
    });
  });
});
