// Feed timestamps use MySQL's 'YYYY-MM-DD HH:MM:SS' in UTC, the format Adobe's
// exporter writes for createdAt/updatedAt/modifiedAt.

export function sqlTimestamp(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** A DATETIME/TIMESTAMP column read with dateStrings: zero dates and fractions normalised. */
export function columnTimestamp(v: unknown, now: Date): string | null {
  if (v === null || v === undefined) return null;
  const s = String(v).slice(0, 19);
  // Magento writes '0000-00-00 00:00:00' for unknown dates; Adobe's DateFormatter sends "now" instead.
  return s.startsWith('0000-00-00') ? sqlTimestamp(now) : s;
}
