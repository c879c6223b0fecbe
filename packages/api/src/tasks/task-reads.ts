// Read side of the board on the raw connection: columns in rank order (cursor = last rank), search
// newest first (cursor = last number), per-column counts, cost per task, one task's detail.
// Every query is indexed and limited: (status, rank), (status, archivedAt), UsageRecord(taskId).
import type BetterSqlite3 from 'better-sqlite3';
import { notFound } from '../errors.ts';
import { TASK_STATUSES, type TaskFilters, type TaskStatus } from './schema.ts';
import { CARD_COLUMNS, CARD_FROM, type TaskCard, type TaskCost, type TaskRow, toTaskCard, toTaskCost } from './views.ts';

type Where = { clauses: string[]; params: unknown[] };

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** SQL conditions for the board filters; `t` is the Task alias. */
export function filterClauses(filters: TaskFilters): Where {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filters.assignee) {
    if (filters.assignee === 'unassigned') clauses.push('t.assigneeAgentId IS NULL');
    else {
      clauses.push(`t.assigneeAgentId IN (SELECT id FROM "Agent" WHERE id = ? OR name = ?)`);
      params.push(filters.assignee, filters.assignee);
    }
  }
  if (filters.label) {
    clauses.push(`EXISTS (SELECT 1 FROM json_each(t.labels) WHERE json_each.value = ?)`);
    params.push(filters.label);
  }
  if (filters.priority) {
    clauses.push('t.priority = ?');
    params.push(filters.priority);
  }
  if (filters.gateway) {
    clauses.push(`t.assigneeAgentId IN (SELECT id FROM "Agent" WHERE gatewayId = ?)`);
    params.push(filters.gateway);
  }
  if (filters.text) {
    const number = /^#?(\d{1,9})$/.exec(filters.text)?.[1];
    const like = `%${escapeLike(filters.text)}%`;
    clauses.push(`(t.title LIKE ? ESCAPE '\\' OR t.description LIKE ? ESCAPE '\\' OR t.number = ?)`);
    params.push(like, like, number ? Number(number) : -1);
  }
  return { clauses, params };
}

const where = (w: Where) => (w.clauses.length ? `WHERE ${w.clauses.join(' AND ')}` : '');

export type TaskReads = ReturnType<typeof createTaskReads>;

export function createTaskReads(sqlite: BetterSqlite3.Database) {
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = sqlite.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };

  /** Usage cost per task: records carry the task's id, its number, or "#number" (PROTOCOL.md §4–5). */
  function costs(tasks: ReadonlyArray<{ id: string; number: number }>): Map<string, TaskCost> {
    const result = new Map<string, TaskCost>();
    if (tasks.length === 0) return result;
    const keyToTask = new Map<string, string>();
    for (const task of tasks) {
      keyToTask.set(task.id, task.id);
      keyToTask.set(String(task.number), task.id);
      keyToTask.set(`#${task.number}`, task.id);
    }
    const keys = [...keyToTask.keys()];
    const sums = new Map<string, { costNanos: bigint | null; records: number; unpriced: number }>();
    // Chunks stay far below SQLite's variable limit.
    for (let start = 0; start < keys.length; start += 900) {
      const chunk = keys.slice(start, start + 900);
      const rows = prepare(
        `SELECT taskId, SUM(costNanos) AS costNanos, COUNT(*) AS records, SUM(CASE WHEN costNanos IS NULL THEN 1 ELSE 0 END) AS unpriced
         FROM "UsageRecord" WHERE taskId IN (${chunk.map(() => '?').join(',')}) GROUP BY taskId`,
      )
        .safeIntegers(true)
        .all(...chunk) as Array<{ taskId: string; costNanos: bigint | null; records: bigint; unpriced: bigint }>;
      for (const row of rows) {
        const taskId = keyToTask.get(row.taskId);
        if (!taskId) continue;
        const sum = sums.get(taskId) ?? { costNanos: null, records: 0, unpriced: 0 };
        if (row.costNanos !== null) sum.costNanos = (sum.costNanos ?? 0n) + row.costNanos;
        sum.records += Number(row.records);
        sum.unpriced += Number(row.unpriced);
        sums.set(taskId, sum);
      }
    }
    for (const [taskId, sum] of sums) result.set(taskId, toTaskCost(sum));
    return result;
  }

  function withCosts(rows: TaskRow[]): TaskCard[] {
    const byTask = costs(rows);
    return rows.map((row) => toTaskCard(row, byTask.get(row.id)));
  }

  /** One column in board order, unarchived, after `afterRank`. */
  function column(status: TaskStatus, filters: TaskFilters, limit: number, afterRank?: string | null): TaskCard[] {
    const w = filterClauses(filters);
    w.clauses.unshift('t.status = ?', 't.archivedAt IS NULL');
    w.params.unshift(status);
    if (afterRank) {
      w.clauses.push('t.rank > ?');
      w.params.push(afterRank);
    }
    const rows = prepare(`SELECT ${CARD_COLUMNS} FROM ${CARD_FROM} ${where(w)} ORDER BY t.rank LIMIT ?`).all(...w.params, limit) as TaskRow[];
    return withCosts(rows);
  }

  /** Search across columns, newest first; archived tasks only when asked for. */
  function search(filters: TaskFilters, archived: 'exclude' | 'include' | 'only', limit: number, beforeNumber?: number): TaskCard[] {
    const w = filterClauses(filters);
    if (archived === 'exclude') w.clauses.push('t.archivedAt IS NULL');
    if (archived === 'only') w.clauses.push('t.archivedAt IS NOT NULL');
    if (beforeNumber !== undefined) {
      w.clauses.push('t.number < ?');
      w.params.push(beforeNumber);
    }
    const rows = prepare(`SELECT ${CARD_COLUMNS} FROM ${CARD_FROM} ${where(w)} ORDER BY t.number DESC LIMIT ?`).all(...w.params, limit) as TaskRow[];
    return withCosts(rows);
  }

  function counts(filters: TaskFilters): Record<TaskStatus, number> {
    const w = filterClauses(filters);
    w.clauses.unshift('t.archivedAt IS NULL');
    const rows = prepare(`SELECT t.status AS status, COUNT(*) AS n FROM "Task" t ${where(w)} GROUP BY t.status`).all(...w.params) as Array<{ status: string; n: number }>;
    const result = Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<TaskStatus, number>;
    for (const row of rows) if (row.status in result) result[row.status as TaskStatus] = row.n;
    return result;
  }

  function rowById(id: string): TaskRow | undefined {
    return prepare(`SELECT ${CARD_COLUMNS} FROM ${CARD_FROM} WHERE t.id = ?`).get(id) as TaskRow | undefined;
  }

  /** A task by id, number, or "#number"; 404 otherwise. */
  function resolve(ref: string): TaskRow {
    const number = /^#?(\d{1,9})$/.exec(ref)?.[1];
    const row = number
      ? (prepare(`SELECT ${CARD_COLUMNS} FROM ${CARD_FROM} WHERE t.number = ?`).get(Number(number)) as TaskRow | undefined)
      : rowById(ref);
    if (!row) throw notFound(`No task ${number ? `#${number}` : ref}`);
    return row;
  }

  function card(id: string): TaskCard {
    const row = rowById(id);
    if (!row) throw notFound(`No task ${id}`);
    return withCosts([row])[0] as TaskCard;
  }

  function detail(ref: string) {
    const row = resolve(ref);
    const extra = prepare('SELECT description FROM "Task" WHERE id = ?').get(row.id) as { description: string };
    const dependsOn = prepare(
      `SELECT dt.id, dt.number, dt.title, dt.status FROM "TaskDependency" d JOIN "Task" dt ON dt.id = d.dependsOnId WHERE d.taskId = ? ORDER BY dt.number`,
    ).all(row.id) as Array<{ id: string; number: number; title: string; status: TaskStatus }>;
    const blocks = prepare(
      `SELECT dt.id, dt.number, dt.title, dt.status FROM "TaskDependency" d JOIN "Task" dt ON dt.id = d.taskId WHERE d.dependsOnId = ? ORDER BY dt.number LIMIT 100`,
    ).all(row.id) as Array<{ id: string; number: number; title: string; status: TaskStatus }>;
    const comments = prepare(
      `SELECT id, body, actorType, actorId, actorName, createdAt FROM "TaskComment" WHERE taskId = ? ORDER BY id DESC LIMIT 200`,
    ).all(row.id) as Array<{ id: number; body: string; actorType: string; actorId: string | null; actorName: string | null; createdAt: string }>;
    const history = prepare(
      `SELECT id, kind, changes, actorType, actorId, actorName, at FROM "TaskEvent" WHERE taskId = ? ORDER BY id DESC LIMIT 200`,
    ).all(row.id) as Array<{ id: number; kind: string; changes: string; actorType: string; actorId: string | null; actorName: string | null; at: string }>;
    return {
      task: { ...withCosts([row])[0] as TaskCard, description: extra.description },
      dependsOn,
      blocks,
      comments: comments.reverse().map((c) => ({ ...c, createdAt: new Date(c.createdAt).toISOString() })),
      history: history.reverse().map((h) => ({ ...h, changes: JSON.parse(h.changes) as Record<string, { before: unknown; after: unknown }>, at: new Date(h.at).toISOString() })),
    };
  }

  return { column, search, counts, costs, resolve, rowById, card, detail };
}
