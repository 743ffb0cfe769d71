import { createHash } from 'node:crypto';

// Adobe's orderId is the uuid stored in data_exporter_uuid. The connector reads
// the database read-only, so an order without a stored uuid gets a name-based
// (RFC 4122 version 5, sha1) uuid of its type and entity id: stable across runs and
// processes. Order items, shipments and credit memos get theirs the same way.

/** Namespace of the generated order uuids (a fixed random v4 uuid). */
export const ORDER_UUID_NAMESPACE = '3f0c8a52-61d7-4b8e-9c2a-7d5e1f4b9a60';

export function uuidV5(name: string, namespace: string = ORDER_UUID_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(ns).update(name).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The data_exporter_uuid types Adobe stores uuids under. */
export type UuidType = 'order' | 'order_item' | 'order_shipment' | 'credit_memo';

export const entityUuid = (type: UuidType, entityId: number | string): string => uuidV5(`${type}/${entityId}`);

export const orderUuid = (entityId: number | string): string => entityUuid('order', entityId);
