/**
 * The runs table's filter box: `config.lr > 0.01 and state = finished and name ~ ^resnet`
 * becomes the Mongo-style filter the API takes. Operators: = != > >= < <= ~ (regex).
 */
const OPERATORS: Record<string, string> = { "=": "$eq", "!=": "$ne", ">": "$gt", ">=": "$gte", "<": "$lt", "<=": "$lte", "~": "$regex" };
const CLAUSE = /^\s*([A-Za-z_][\w./-]*)\s*(!=|>=|<=|=|>|<|~)\s*(.+?)\s*$/;

export class FilterSyntaxError extends Error {}

export function parseFilterExpression(text: string): Record<string, unknown> | undefined {
  if (text.trim() === "") return undefined;
  const clauses = text.split(/\s+and\s+/i).map((clause) => {
    const match = CLAUSE.exec(clause);
    if (match === null) throw new FilterSyntaxError(`Cannot read "${clause.trim()}": write field op value, e.g. config.lr > 0.01`);
    const [, field, op, raw] = match as unknown as [string, string, string, string];
    return { [field]: { [OPERATORS[op] as string]: op === "~" ? unquote(raw) : parseValue(raw) } };
  });
  return clauses.length === 1 ? clauses[0] : { $and: clauses };
}

function unquote(raw: string): string {
  return /^(["']).*\1$/.test(raw) ? raw.slice(1, -1) : raw;
}

function parseValue(raw: string): unknown {
  if (/^(["']).*\1$/.test(raw)) return raw.slice(1, -1);
  if (raw === "true" || raw === "false") return raw === "true";
  if (raw === "null") return null;
  const n = Number(raw);
  return raw !== "" && Number.isFinite(n) ? n : raw;
}
