// Adobe Commerce content staging as Commerce's own code does it, for the seed, the tests
// and the demo (facts from Magento_Staging / Magento_CatalogStaging; docs/internals.md):
//   - scheduleUpdate: an admin saves a scheduled update of some products or categories
//     (UpdateRepository::save, Operation\Update, TemporaryUpdateProcessor);
//   - applyDueUpdates: the staging cron (StagingApplier) moves the current version;
//   - deleteUpdate: an admin removes the entities from an update that has not started,
//     and the update goes (RemoveAction -> Operation\Delete, UpdateRepository::delete).
// Each runs as one transaction. Versions themselves are copied and deleted in versions.ts.
import { CdcError } from '../../errors.js';
import { MAX_VERSION, MIN_VERSION, type LinkField } from '../../feeds/common/link.js';
import {
  CATEGORY, PRODUCT, copyVersion, deleteVersion, nextVersionId, previousVersion, rewriteVersion, setUpdatedIn, versionsOf,
  type SqlConnection, type VersionRow,
} from './versions.js';

const FLAG_CODE = 'staging';
/** Magento\Staging\Model\Update\Flag::getMaximumVersionsInDb default. */
const MAXIMUM_VERSIONS_IN_DB = 10;
const STAGED: LinkField[] = [PRODUCT, CATEGORY];

/** `YYYY-MM-DD HH:MM:SS` in UTC, as Magento stores staging_update.start_time. */
export const utcDatetime = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ');

async function inTransaction<T>(conn: SqlConnection, fn: () => Promise<T>): Promise<T> {
  await conn.beginTransaction();
  try {
    const out = await fn();
    await conn.commit();
    return out;
  } catch (e) {
    await conn.rollback().catch(() => undefined);
    throw e;
  }
}

interface FlagRow { id: number | null; data: Record<string, unknown> }

async function readFlag(conn: SqlConnection, lock = false): Promise<FlagRow> {
  const [rows] = await conn.query(`SELECT flag_id, flag_data FROM flag WHERE flag_code = ? ORDER BY flag_id LIMIT 1${lock ? ' FOR UPDATE' : ''}`, [FLAG_CODE]);
  const row = (rows as Array<{ flag_id: number; flag_data: string | null }>)[0];
  if (!row) return { id: null, data: {} };
  let data: unknown = null;
  try {
    data = JSON.parse(row.flag_data ?? 'null');
  } catch {
    data = null;
  }
  return { id: Number(row.flag_id), data: data !== null && typeof data === 'object' && !Array.isArray(data) ? data as Record<string, unknown> : {} };
}

/** Flag::getStagingFlag(key) ?: fallback, as PHP reads it ('' and '0' count as unset). */
function flagNumber(flag: FlagRow, key: string, fallback: number): number {
  const n = Number(flag.data[key] ?? 0);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** The current version: the flag row 'staging', `current_version`, 1 when absent. */
export async function currentVersion(conn: SqlConnection): Promise<number> {
  return flagNumber(await readFlag(conn), 'current_version', MIN_VERSION);
}

export interface VersionMove {
  previous: number;
  current: number;
  /** False when no update was due or the due one was already current: the flag was not written. */
  moved: boolean;
}

/**
 * What Commerce's staging cron (StagingApplier::execute) does at `now`: the current version
 * becomes the highest staging_update id whose start_time has passed, written to the flag row
 * 'staging' as `{"current_version":"<id>"}` (a string: Magento reads it with fetchOne), other
 * keys of the flag kept; then versions beyond maximum_versions_in_db are removed
 * (DeleteObsoleteEntities). No catalog row changes otherwise.
 */
export async function applyDueUpdates(conn: SqlConnection, now: Date = new Date()): Promise<VersionMove> {
  return inTransaction(conn, async () => {
    const flag = await readFlag(conn, true);
    const previous = flagNumber(flag, 'current_version', MIN_VERSION);
    const [rows] = await conn.query('SELECT id FROM staging_update WHERE start_time <= ? ORDER BY id DESC LIMIT 1', [utcDatetime(Math.floor(now.getTime() / 1000))]);
    const due = (rows as Array<{ id: number | string }>)[0]?.id;
    if (due === undefined || Number(due) === previous) return { previous, current: previous, moved: false };
    const data = JSON.stringify({ ...flag.data, current_version: String(due) });
    const at = Math.floor(now.getTime() / 1000);
    if (flag.id === null) {
      await conn.query('INSERT INTO flag (flag_code, state, flag_data, last_update) VALUES (?, 0, ?, FROM_UNIXTIME(?))', [FLAG_CODE, data, at]);
    } else {
      await conn.query('UPDATE flag SET flag_data = ?, last_update = FROM_UNIXTIME(?) WHERE flag_id = ?', [data, at, flag.id]);
    }
    const current = Number(due);
    for (const field of STAGED) await deleteObsoleteVersions(conn, field, current, flagNumber(flag, 'maximum_versions_in_db', MAXIMUM_VERSIONS_IN_DB));
    return { previous, current, moved: true };
  });
}

/** DeleteObsoleteEntities: of the versions that ended (updated_in <= current), an entity keeps the newest maximum - 1. */
async function deleteObsoleteVersions(conn: SqlConnection, field: LinkField, current: number, maximum: number): Promise<void> {
  const [rows] = await conn.query(`SELECT entity_id, row_id FROM ${field.entityTable} WHERE updated_in <= ? ORDER BY entity_id, row_id DESC`, [current]);
  const ended = new Map<number, number[]>();
  for (const r of rows as Array<{ entity_id: number; row_id: number }>) {
    const list = ended.get(Number(r.entity_id)) ?? [];
    list.push(Number(r.row_id));
    ended.set(Number(r.entity_id), list);
  }
  for (const rowIds of ended.values()) {
    if (rowIds.length + 1 <= maximum) continue;
    for (const rowId of rowIds.slice(Math.max(0, maximum - 1))) await deleteVersion(conn, field, rowId);
  }
}

export interface UpdateSpec {
  name: string;
  /** Unix seconds; the update's id is this second, or the next free one (UpdateRepository::getIdForEntity). */
  start: number;
  /** Unix seconds: a temporary update, ended by a rollback update starting then. */
  end?: number;
  description?: string;
}

export interface StagedChange {
  entity: 'product' | 'category';
  entityId: number;
  /** Edits the new version (its row_id) after the copy, as the admin's form values are saved over it. */
  apply(conn: SqlConnection, rowId: number): Promise<void>;
}

export interface ScheduledVersion { entity: 'product' | 'category'; entityId: number; rowId: number; rollbackRowId: number | null }

async function freeId(conn: SqlConnection, start: number): Promise<number> {
  const [rows] = await conn.query('SELECT id FROM staging_update WHERE id >= ? ORDER BY id', [start]);
  let id = start;
  for (const r of rows as Array<{ id: number | string }>) if (Number(r.id) === id) id++;
  return id;
}

/**
 * Saves a scheduled update of some entities as the admin's "Schedule New Update" does: the
 * staging_update row (a temporary one with its rollback update, `Rollback for "<name>"`), then
 * per entity a new version in the update (the previous version ends where it starts) and, for a
 * temporary update, the rollback version [rollback, next) with the previous version's content.
 */
export async function scheduleUpdate(conn: SqlConnection, spec: UpdateSpec, changes: StagedChange[]): Promise<{ id: number; rollbackId: number | null; versions: ScheduledVersion[] }> {
  return inTransaction(conn, async () => {
    const id = await freeId(conn, spec.start);
    let rollbackId: number | null = null;
    const insert = 'INSERT INTO staging_update (id, start_time, name, description, rollback_id, is_campaign, is_rollback, moved_to) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)';
    if (spec.end !== undefined) {
      // UpdateRepository::getRollback saves the rollback first, then the update naming it
      rollbackId = await freeId(conn, spec.end);
      await conn.query(insert, [rollbackId, utcDatetime(spec.end), `Rollback for "${spec.name}"`, null, null, null, 1]);
    }
    await conn.query(insert, [id, utcDatetime(spec.start), spec.name, spec.description ?? null, rollbackId, 0, null]);
    const versions: ScheduledVersion[] = [];
    for (const change of changes) {
      const field = change.entity === 'product' ? PRODUCT : CATEGORY;
      const { rowId, rollbackRowId } = await scheduleVersion(conn, field, change.entityId, id, rollbackId);
      await change.apply(conn, rowId);
      versions.push({ entity: change.entity, entityId: change.entityId, rowId, rollbackRowId });
    }
    return { id, rollbackId, versions };
  });
}

/** Operation\Update for an entity without a version in the update, and CampaignIntegrity::createRollbackPoint. */
async function scheduleVersion(conn: SqlConnection, field: LinkField, entityId: number, id: number, rollbackId: number | null): Promise<{ rowId: number; rollbackRowId: number | null }> {
  const rows = await versionsOf(conn, field, entityId);
  const previous = previousVersion(rows, id);
  if (!previous) throw new CdcError('STAGING_UPDATE_REFUSED', `${field.entityTable} entity ${entityId} has no version before update ${id}`, { fix: 'schedule updates of existing entities only' });
  if (rows.some((r) => r.createdIn === id)) throw new CdcError('STAGING_UPDATE_REFUSED', `${field.entityTable} entity ${entityId} already has a version in update ${id}`, { fix: 'schedule a new update' });
  // UpdateVersion: the version before the update ends where it starts
  await setUpdatedIn(conn, field, previous.rowId, id);
  const rowId = await copyVersion(conn, field, previous.rowId, id, rollbackId ?? nextVersionId(rows, id));
  if (rollbackId === null) return { rowId, rollbackRowId: null };
  // TemporaryUpdateProcessor: the previous version's content again from the rollback on
  const rollbackRowId = await copyVersion(conn, field, previous.rowId, rollbackId, nextVersionId(rows, rollbackId));
  return { rowId, rollbackRowId };
}

/**
 * What Commerce does when an admin deletes an update that has not started: every product and
 * category version in it is unscheduled (Operation\Delete with UpdateIntersectedUpdates: the
 * version and the rows it owns are deleted, the previous version's updated_in is restored, a
 * temporary update's rollback version goes too, rollback versions of other updates that held the
 * deleted content get the previous permanent content), then the staging_update row and its
 * rollback update (UpdateRepository::delete). The sequence rows stay.
 */
export async function deleteUpdate(conn: SqlConnection, updateId: number, now: Date = new Date()): Promise<{ unscheduled: Array<{ entity: 'product' | 'category'; entityId: number }> }> {
  return inTransaction(conn, async () => {
    const [found] = await conn.query('SELECT id, rollback_id, is_rollback FROM staging_update WHERE id = ? FOR UPDATE', [updateId]);
    const update = (found as Array<{ id: number | string; rollback_id: number | string | null; is_rollback: number | null }>)[0];
    if (!update || update.is_rollback) {
      throw new CdcError('STAGING_UPDATE_REFUSED', update ? `staging update ${updateId} is a rollback; it goes with the update that names it` : `there is no staging update ${updateId}`, {
        fix: 'name a scheduled update: SELECT id, name FROM staging_update WHERE is_rollback IS NULL',
      });
    }
    const current = await currentVersion(conn);
    if (updateId <= current) {
      throw new CdcError('STAGING_UPDATE_REFUSED', `staging update ${updateId} has started (the current version is ${current}); Commerce does not delete an active update`, {
        fix: 'delete an update that has not started yet',
      });
    }
    const rollbackId = update.rollback_id === null ? null : Number(update.rollback_id);
    const unscheduled: Array<{ entity: 'product' | 'category'; entityId: number }> = [];
    for (const field of STAGED) {
      const [rows] = await conn.query(`SELECT entity_id FROM ${field.entityTable} WHERE created_in = ? ORDER BY entity_id`, [updateId]);
      for (const { entity_id: entityId } of rows as Array<{ entity_id: number }>) {
        await unschedule(conn, field, Number(entityId), updateId, rollbackId !== null);
        unscheduled.push({ entity: field === PRODUCT ? 'product' : 'category', entityId: Number(entityId) });
      }
    }
    if (rollbackId !== null) {
      const [due] = await conn.query('SELECT id FROM staging_update WHERE start_time <= ? ORDER BY id DESC LIMIT 1', [utcDatetime(Math.floor(now.getTime() / 1000))]);
      const [others] = await conn.query('SELECT 1 FROM staging_update WHERE rollback_id = ? AND id <> ? LIMIT 1', [rollbackId, updateId]);
      const isDue = Number((due as Array<{ id: number }>)[0]?.id ?? 0) === rollbackId;
      if (!isDue && (others as unknown[]).length === 0) await conn.query('DELETE FROM staging_update WHERE id = ?', [rollbackId]);
    }
    await conn.query('DELETE FROM staging_update WHERE id = ?', [updateId]);
    return { unscheduled };
  });
}

async function unschedule(conn: SqlConnection, field: LinkField, entityId: number, updateId: number, temporary: boolean): Promise<void> {
  const before = await versionsOf(conn, field, entityId);
  const version = before.find((r) => r.createdIn === updateId)!;
  await deleteVersion(conn, field, version.rowId);
  const rows = before.filter((r) => r !== version);
  const previous = previousVersion(rows, updateId);
  const next = rows.find((r) => r.createdIn === nextVersionId(rows, updateId));
  if (temporary) {
    // processTemporaryUpdateDelete: the previous version runs to the end of the rollback version, which goes
    if (previous) await setUpdatedIn(conn, field, previous.rowId, next?.updatedIn ?? MAX_VERSION);
    if (next) await deleteVersion(conn, field, next.rowId);
    return;
  }
  // processPermanentUpdateDelete
  if (previous) await setUpdatedIn(conn, field, previous.rowId, next?.createdIn ?? MAX_VERSION);
  await restoreIntersectedRollbacks(conn, field, entityId, updateId);
}

/** UpdateIntersectedRollbacks: rollback versions up to the next permanent version held the deleted content; they get the previous permanent one's. */
async function restoreIntersectedRollbacks(conn: SqlConnection, field: LinkField, entityId: number, updateId: number): Promise<void> {
  const rows = await versionsOf(conn, field, entityId);
  const kinds = await updateKinds(conn, rows.map((r) => r.createdIn));
  const permanent = (r: VersionRow) => kinds.get(r.createdIn) === 'permanent';
  const prevPermanentId = rows.filter((r) => r.createdIn < updateId && permanent(r)).at(-1)?.createdIn ?? MIN_VERSION;
  const nextPermanentId = rows.find((r) => r.createdIn > updateId && permanent(r))?.createdIn ?? MAX_VERSION;
  const source = rows.find((r) => r.createdIn <= prevPermanentId && r.updatedIn > prevPermanentId);
  if (!source) return;
  for (const r of rows) {
    if (r.createdIn > source.createdIn && r.createdIn < nextPermanentId && kinds.get(r.createdIn) === 'rollback') await rewriteVersion(conn, field, r.rowId, source.rowId);
  }
}

async function updateKinds(conn: SqlConnection, ids: number[]): Promise<Map<number, 'permanent' | 'temporary' | 'rollback'>> {
  const out = new Map<number, 'permanent' | 'temporary' | 'rollback'>();
  if (ids.length === 0) return out;
  const [rows] = await conn.query('SELECT id, rollback_id, is_rollback FROM staging_update WHERE id IN (?)', [ids]);
  for (const r of rows as Array<{ id: number | string; rollback_id: number | null; is_rollback: number | null }>) {
    out.set(Number(r.id), r.is_rollback ? 'rollback' : r.rollback_id !== null ? 'temporary' : 'permanent');
  }
  return out;
}
