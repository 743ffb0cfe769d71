// The binlog reader: createReader(deps) for the composition root and the CLI.
export { createReader, Reader, type ReaderDeps } from './reader.js';
export { createLeasedReader, LeasedReader } from './leased.js';
export { describeLease, type LeaseFigures, type LeaseMember } from './lease.js';
export { readStoredPosition, type PositionRecord, type BinlogPosition, type SnapshotProgress } from './position.js';
export { loadMapping, buildMapping, type Mapping, type Route } from './mapping.js';
