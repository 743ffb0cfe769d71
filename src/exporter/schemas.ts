// Kept only for test/helpers/e2e.ts (edited elsewhere) until the merge: the records live in src/avro/records.ts.
export { loadSchema, type ItemEnvelope } from '../avro/records.js';
