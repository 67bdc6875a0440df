import { FilterSyntaxError, parseFilterExpression } from "./filter-expression.ts";

/** The runs query's `filters` parameter from a state choice and a filter expression (runs table and workspace). */
export function buildFilters(state: string, expression: string): { filters?: string; error?: string } {
  try {
    const parsed = parseFilterExpression(expression);
    const clauses = [parsed, state ? { state } : undefined].filter((clause) => clause !== undefined);
    if (clauses.length === 0) return {};
    return { filters: JSON.stringify(clauses.length === 1 ? clauses[0] : { $and: clauses }) };
  } catch (error) {
    if (error instanceof FilterSyntaxError) return { error: error.message };
    throw error;
  }
}
