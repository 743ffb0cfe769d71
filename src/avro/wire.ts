// The Confluent wire format, written and read here only: magic byte 0, the schema id as a 4-byte
// big-endian integer, then the Avro body.

export const WIRE_HEADER_BYTES = 5;

/** Writes the header at buf[0..5); returns where the body starts. */
export function writeWireHeader(buf: Buffer, schemaId: number): number {
  buf[0] = 0;
  buf.writeUInt32BE(schemaId, 1);
  return WIRE_HEADER_BYTES;
}

/** The header alone (the reader prepends it to bodies it encodes per table). */
export function wireHeader(schemaId: number): Buffer {
  const h = Buffer.allocUnsafe(WIRE_HEADER_BYTES);
  writeWireHeader(h, schemaId);
  return h;
}

/** The schema id of a wire-format value, or undefined when the value is not in the format. */
export function readSchemaId(buf: Buffer): number | undefined {
  return buf.length < WIRE_HEADER_BYTES || buf[0] !== 0 ? undefined : buf.readInt32BE(1);
}
