// The publisher's limit: a plain sender posting request bodies that are already encoded (the very
// gzip bodies the publisher sent, captured by the receiver) to the same receiver with the same
// concurrency, with fetch as the publisher does. No Kafka, no Avro, no JSON, no gzip, no state.

export interface RawBody {
  route: string;
  body: Buffer;
  contentEncoding: string | undefined;
  items: number;
}

/** Posts every body, `concurrency` at once; items/s of the accepted ones. Any answer but 200 fails the bench. */
export async function rawSendRate(baseUrl: string, bodies: RawBody[], concurrency: number): Promise<{ items: number; seconds: number }> {
  let next = 0;
  let items = 0;
  const started = performance.now();
  const sender = async (): Promise<void> => {
    while (next < bodies.length) {
      const b = bodies[next++]!;
      const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': `raw-${next}` };
      if (b.contentEncoding) headers['content-encoding'] = b.contentEncoding;
      const res = await fetch(`${baseUrl}/${b.route}`, { method: 'POST', headers, body: b.body });
      await res.text();
      if (res.status !== 200) throw new Error(`the plain sender got HTTP ${res.status} from the receiver`);
      items += b.items;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, sender));
  return { items, seconds: (performance.now() - started) / 1000 };
}
