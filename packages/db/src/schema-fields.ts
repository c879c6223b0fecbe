// Reads model names and scalar field names from prisma/schema.prisma; used by the round-trip test to
// insist that every field of every model is exercised (so a new column cannot skip the test).
import { readFileSync } from 'node:fs';

export type ModelFields = Map<string, { name: string; type: string }[]>;

export function readSchemaModels(schemaPath: string): ModelFields {
  const models: ModelFields = new Map();
  let current: { name: string; type: string }[] | null = null;
  for (const raw of readFileSync(schemaPath, 'utf8').split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    const start = /^model\s+(\w+)\s*\{/.exec(line);
    if (start?.[1]) {
      current = [];
      models.set(start[1], current);
      continue;
    }
    if (line === '}') {
      current = null;
      continue;
    }
    if (!current || line === '' || line.startsWith('@@')) continue;
    const [name, type] = line.split(/\s+/);
    if (name && type) current.push({ name, type: type.replace(/\?$/, '') });
  }
  // Relation fields point at other models (or lists of them): not columns.
  for (const fields of models.values()) {
    for (let i = fields.length - 1; i >= 0; i--) {
      const field = fields[i];
      if (field && (models.has(field.type.replace(/\[\]$/, '')) || field.type.endsWith('[]'))) fields.splice(i, 1);
    }
  }
  return models;
}
