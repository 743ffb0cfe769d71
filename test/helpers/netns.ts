// A network namespace joined to the host by a veth pair, for partition tests: the
// connector runs inside (`ip netns exec`), the private stack listens on the host end,
// and a partition drops the packets of chosen ports inside the namespace (nftables),
// so they vanish (no RST, no ICMP): both ends see only silence, as in a real partition.
// Needs root, iproute2 and nft (Debian's nftables package); the kernel of the test
// machine has no tc classifiers, so tc cannot drop per port here.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface Netns {
  /** The namespace's name (`ip netns exec <name> ...`). */
  name: string;
  /** The host end's address: the stack binds to and advertises it (CDC_STACK_HOST). */
  hostAddress: string;
  /** The namespace end's address (where the connector's connections come from). */
  nsAddress: string;
  /** The argv prefix that runs a command inside the namespace. */
  exec(argv: string[]): [string, string[]];
  /** Drops, inside the namespace, every packet to or from these host ports (both directions) until heal(). */
  cut(ports: number[]): void;
  heal(): void;
  /** Removes the namespace and the veth pair (idempotent; processes inside must be gone first or are left without network). */
  destroy(): void;
}

const sh = (cmd: string, args: string[], input?: string) => execFileSync(cmd, args, { encoding: 'utf8', input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });

/** A subnet 10.231.N.0/24 that no interface of the host uses yet. */
function freeSubnet(): number {
  const used = sh('ip', ['-4', '-o', 'addr', 'show']);
  for (let tries = 0; tries < 50; tries++) {
    const n = 1 + Math.floor(Math.random() * 250);
    if (!used.includes(` 10.231.${n}.`)) return n;
  }
  throw new Error('no free 10.231.N.0/24 subnet for the test namespace');
}

/** Creates the namespace and the veth pair; throws with the command's own error when namespaces are refused. */
export function createNetns(label: string): Netns {
  for (const tool of ['ip', 'nft']) {
    try {
      sh('sh', ['-c', `command -v ${tool}`]);
    } catch {
      throw new Error(`${tool} not found: the partition test needs iproute2 and nftables (apt-get install nftables)`);
    }
  }
  const id = randomBytes(3).toString('hex');
  const name = `cdc-${label.slice(0, 12)}-${id}`;
  // interface names: at most 15 characters
  const hostIf = `cdh${id}`;
  const nsIf = `cdn${id}`;
  const n = freeSubnet();
  const hostAddress = `10.231.${n}.1`;
  const nsAddress = `10.231.${n}.2`;
  let created = false;
  const destroy = () => {
    // deleting the namespace deletes its veth end, and with it the pair
    try {
      sh('ip', ['netns', 'del', name]);
    } catch {
      // not created, or already gone
    }
    try {
      sh('ip', ['link', 'del', hostIf]);
    } catch {
      // gone with the namespace
    }
  };
  try {
    sh('ip', ['netns', 'add', name]);
    created = true;
    sh('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    sh('ip', ['link', 'set', nsIf, 'netns', name]);
    sh('ip', ['addr', 'add', `${hostAddress}/24`, 'dev', hostIf]);
    sh('ip', ['link', 'set', hostIf, 'up']);
    sh('ip', ['netns', 'exec', name, 'ip', 'addr', 'add', `${nsAddress}/24`, 'dev', nsIf]);
    sh('ip', ['netns', 'exec', name, 'ip', 'link', 'set', nsIf, 'up']);
    sh('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
  } catch (e) {
    if (created) destroy();
    throw e;
  }
  return {
    name,
    hostAddress,
    nsAddress,
    exec: (argv) => ['ip', ['netns', 'exec', name, ...argv]],
    cut(ports) {
      const set = ports.join(', ');
      sh('ip', ['netns', 'exec', name, 'nft', '-f', '-'], `table inet cdc_partition {
  chain out { type filter hook output priority 0; policy accept; tcp dport { ${set} } drop; }
  chain in { type filter hook input priority 0; policy accept; tcp sport { ${set} } drop; }
}
`);
    },
    heal() {
      sh('ip', ['netns', 'exec', name, 'nft', 'delete', 'table', 'inet', 'cdc_partition']);
    },
    destroy,
  };
}
