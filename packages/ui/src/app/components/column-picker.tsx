import { useState } from "preact/hooks";

/** Chooses which config/summary columns the runs table shows (kept in the URL). */
export function ColumnPicker({ keys, chosen, onChange }: { keys: string[]; chosen: string[]; onChange(columns: string[]): void }) {
  const [needle, setNeedle] = useState("");
  const shown = keys.filter((key) => key.toLowerCase().includes(needle.toLowerCase())).slice(0, 200);
  return (
    <details class="picker">
      <summary>Columns ({chosen.length})</summary>
      <div class="picker-body">
        <input
          type="search"
          placeholder="Find a key"
          value={needle}
          onInput={(e) => setNeedle(e.currentTarget.value)}
          aria-label="find column"
        />
        {shown.map((key) => (
          <label key={key}>
            <input
              type="checkbox"
              checked={chosen.includes(key)}
              onChange={() => onChange(chosen.includes(key) ? chosen.filter((c) => c !== key) : [...chosen, key])}
            />
            {key}
          </label>
        ))}
      </div>
    </details>
  );
}
