import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CdcError } from '../errors.js';
import { LINKS, rowEntity, type Edition, type Link } from '../feeds/common/link.js';
import { FEED_NAMES } from '../feeds/types.js';

// The declarative source mapping (connectors/feeds/<feed>.yaml, docs/internals.md):
// which feeds a table's row changes affect and which entity each row names.

/** Row filter: column → allowed values, compared as strings (YAML `4` and MySQL 4 match). */
export type RowFilter = Record<string, string[]>;

export interface Route {
  table: string;
  feed: string;
  /** The entity type the records name; on Adobe Commerce a link route's is `<link>Row:<declared type>`. */
  entity: string;
  /** Column of the row that holds the entity id. */
  id: string;
  when: RowFilter | undefined;
  unless: RowFilter | undefined;
  /** The column holds this entity's link field values (row ids on Adobe Commerce): the exporter resolves them. */
  link?: Link | undefined;
  /** The column holds JSON: the id is the value of this key. */
  json?: string | undefined;
  /** An update whose id changed emits one id `<before>..<after>` instead of one record for each. */
  span?: boolean | undefined;
}

export interface FeedMapping {
  feed: string;
  file: string;
  root: { table: string; id: string; when: RowFilter | undefined; unless: RowFilter | undefined; entity: string };
  tables: Route[];
}

export interface Mapping {
  feeds: FeedMapping[];
  /** Table (without prefix) → every (feed, entity, id column, filter) it feeds. */
  routes: Map<string, Route[]>;
}

/** What validation knows about the world; each part is optional (checked when given). */
export interface MappingContext {
  /** table (without prefix) → column names, when the DDL was read at start. */
  columns?: Map<string, string[]>;
  /** feed → entity types it accepts: sourceEntity plus the provider's expandTypes. */
  feedTypes?: Map<string, string[]>;
  /** The database's edition (src/mysql/edition.ts): link routes read row_id on Adobe Commerce. Open Source when absent. */
  edition?: Edition;
}

export function matchesFilters(row: Record<string, unknown> | null | undefined, when: RowFilter | undefined, unless: RowFilter | undefined): boolean {
  if (!row) return false;
  if (when) for (const [col, values] of Object.entries(when)) if (!values.includes(String(row[col]))) return false;
  if (unless) for (const [col, values] of Object.entries(unless)) if (values.includes(String(row[col]))) return false;
  return true;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readFilter(v: unknown, where: string, problems: string[]): RowFilter | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) {
    problems.push(`${where}: must be a mapping of column to a list of values`);
    return undefined;
  }
  const out: RowFilter = {};
  for (const [col, vals] of Object.entries(v)) {
    const list = Array.isArray(vals) ? vals : [vals];
    out[col] = list.map((x) => String(x));
  }
  return out;
}

function filterColumns(f: RowFilter | undefined): string[] {
  return f ? Object.keys(f) : [];
}

/** Parses one mapping document; problems are pushed as `file: field: message`. */
export function parseFeedMapping(doc: unknown, file: string, problems: string[]): FeedMapping | undefined {
  const p = (field: string, msg: string) => problems.push(`${file}: ${field}: ${msg}`);
  if (!isObj(doc)) {
    p('(top level)', 'must be a mapping with feed, root and tables');
    return undefined;
  }
  const feed = doc.feed;
  if (typeof feed !== 'string' || !feed) p('feed', 'missing (one of ' + FEED_NAMES.join(', ') + ')');
  else if (!(FEED_NAMES as readonly string[]).includes(feed)) p('feed', `unknown feed "${feed}"`);
  const tables: Route[] = [];
  if (!Array.isArray(doc.tables) || doc.tables.length === 0) p('tables', 'missing or empty');
  else {
    doc.tables.forEach((t: unknown, i: number) => {
      const at = `tables[${i}]`;
      if (!isObj(t)) return p(at, 'must be a mapping with table, entity and id');
      const link = t.link;
      if (link !== undefined && !(LINKS as readonly unknown[]).includes(link)) p(`${at}.link`, `must be one of ${LINKS.join(', ')}`);
      // a link route without id names the link field itself (entity_id or row_id, by edition)
      for (const k of ['table', 'entity', ...(link === undefined ? ['id'] : [])]) if (typeof t[k] !== 'string' || !t[k]) p(`${at}.${k}`, 'missing');
      if (t.id !== undefined && (typeof t.id !== 'string' || !t.id)) p(`${at}.id`, 'must be a column name');
      if (t.json !== undefined && (typeof t.json !== 'string' || !t.json)) p(`${at}.json`, 'must be a JSON key');
      if (t.span !== undefined && typeof t.span !== 'boolean') p(`${at}.span`, 'must be true or false');
      for (const k of Object.keys(t)) if (!['table', 'entity', 'id', 'when', 'unless', 'link', 'json', 'span'].includes(k)) p(`${at}.${k}`, 'unknown field');
      if (typeof t.table === 'string' && typeof t.entity === 'string' && (typeof t.id === 'string' || typeof link === 'string')) {
        tables.push({
          table: t.table,
          feed: String(feed),
          entity: t.entity,
          id: typeof t.id === 'string' ? t.id : '',
          when: readFilter(t.when, `${file}: ${at}.when`, problems),
          unless: readFilter(t.unless, `${file}: ${at}.unless`, problems),
          link: (LINKS as readonly unknown[]).includes(link) ? (link as Link) : undefined,
          json: typeof t.json === 'string' ? t.json : undefined,
          span: t.span === true ? true : undefined,
        });
      }
    });
  }
  const root = doc.root;
  let rootOut: FeedMapping['root'] | undefined;
  if (!isObj(root) || typeof root.table !== 'string' || typeof root.id !== 'string') p('root', 'missing: { table, id } of the snapshot/resync ids');
  else {
    const owner = tables.find((r) => r.table === root.table && r.id === root.id);
    if (!owner) p('root', `${root.table}.${root.id} is not one of the mapped tables`);
    rootOut = {
      table: root.table,
      id: root.id,
      when: readFilter(root.when, `${file}: root.when`, problems),
      unless: readFilter(root.unless, `${file}: root.unless`, problems),
      entity: owner?.entity ?? '',
    };
  }
  if (typeof feed !== 'string' || !rootOut) return undefined;
  return { feed, file, root: rootOut, tables };
}

/**
 * The route as the edition reads it: a link route's column is entity_id on Open Source
 * (records name the entity itself) and row_id on Adobe Commerce (records name a version row,
 * `<link>Row:<entity>`, which the exporter resolves to entity ids: the reader never queries).
 */
export function resolveRoute(r: Route, edition: Edition): Route {
  if (!r.link) return r;
  const staged = edition === 'commerce';
  return { ...r, id: r.id || (staged ? 'row_id' : 'entity_id'), entity: staged ? rowEntity(r.link, r.entity) : r.entity };
}

/** Checks a parsed mapping against the DDL and the feed registry. */
function validate(m: FeedMapping, ctx: MappingContext, problems: string[]): void {
  m.tables.forEach((declared, i) => {
    const r = resolveRoute(declared, ctx.edition ?? 'opensource');
    const table = r.table;
    const cols = ctx.columns?.get(table);
    if (cols) {
      for (const c of [r.id, ...filterColumns(r.when), ...filterColumns(r.unless)]) {
        if (!cols.includes(c)) problems.push(`${m.file}: tables[${i}]: table ${table} has no column ${c}`);
      }
    }
    const types = ctx.feedTypes?.get(m.feed);
    if (types && !types.includes(declared.entity)) {
      problems.push(`${m.file}: tables[${i}].entity: feed ${m.feed} does not expand entity type "${declared.entity}" (accepts ${types.join(', ')})`);
    }
  });
}

/** Builds the routing from parsed documents ({file, doc}); throws CONNECTOR_MAPPING_INVALID listing every problem. */
export function buildMapping(docs: Array<{ file: string; doc: unknown }>, ctx: MappingContext = {}): Mapping {
  const problems: string[] = [];
  const feeds: FeedMapping[] = [];
  const seen = new Map<string, string>();
  for (const { file, doc } of docs) {
    const m = parseFeedMapping(doc, file, problems);
    if (!m) continue;
    const prev = seen.get(m.feed);
    if (prev) problems.push(`${file}: feed: duplicate feed ${m.feed} (also in ${prev})`);
    seen.set(m.feed, file);
    validate(m, ctx, problems);
    feeds.push(m);
  }
  if (problems.length) {
    throw new CdcError('CONNECTOR_MAPPING_INVALID', `${problems.length} problem(s) in the connector mapping: ${problems.join('; ')}`, {
      fix: 'correct the listed files and fields in reader.connector (docs/internals.md, Source mapping)',
      context: { problems },
    });
  }
  const routes = new Map<string, Route[]>();
  for (const m of feeds) {
    m.tables = m.tables.map((r) => resolveRoute(r, ctx.edition ?? 'opensource'));
    for (const r of m.tables) {
      const t = r.table;
      routes.set(t, [...(routes.get(t) ?? []), r]);
    }
  }
  return { feeds, routes };
}

/** Loads every *.yaml of the mapping folder (or one file). */
export function loadMappingDocs(path: string): Array<{ file: string; doc: unknown }> {
  let files: string[];
  try {
    files = path.endsWith('.yaml') || path.endsWith('.yml') ? [path] : readdirSync(path).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(path, f));
  } catch (e) {
    throw new CdcError('CONNECTOR_MAPPING_INVALID', `cannot read the connector mapping at ${path}: ${(e as Error).message}`, {
      fix: 'set reader.connector to the folder holding connectors/feeds/<feed>.yaml',
    });
  }
  return files.map((file) => {
    try {
      return { file, doc: parseYaml(readFileSync(file, 'utf8')) as unknown };
    } catch (e) {
      return { file, doc: { __error: (e as Error).message.split('\n')[0] } };
    }
  });
}

export function loadMapping(path: string, ctx: MappingContext = {}): Mapping {
  const docs = loadMappingDocs(path);
  const problems = docs.flatMap((d) => (isObj(d.doc) && typeof d.doc.__error === 'string' ? [`${d.file}: (yaml): ${d.doc.__error}`] : []));
  if (problems.length) {
    throw new CdcError('CONNECTOR_MAPPING_INVALID', `${problems.length} problem(s) in the connector mapping: ${problems.join('; ')}`, {
      fix: 'correct the YAML syntax of the listed files',
      context: { problems },
    });
  }
  return buildMapping(docs, ctx);
}
