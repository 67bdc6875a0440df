import { flatten } from "../../lib/fields.ts";
import { formatValue } from "../../lib/format.ts";

/** A nested object as key/value rows (config, summary, metadata). Values render as text. */
export function KeyValueTable({ value, testId }: { value: Record<string, unknown>; testId?: string }) {
  const rows = flatten(value);
  if (rows.length === 0) return <p class="muted">empty</p>;
  return (
    <table class="grid kv" data-testid={testId}>
      <tbody>
        {rows.map(([key, item]) => (
          <tr key={key}>
            <th>{key}</th>
            <td>{formatValue(item)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
