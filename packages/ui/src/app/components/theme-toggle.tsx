import { useState } from "preact/hooks";
import { setThemeChoice, type ThemeChoice, themeChoice } from "../../lib/theme.ts";

const NEXT: Record<ThemeChoice, ThemeChoice> = { auto: "light", light: "dark", dark: "auto" };

/** Cycles auto → light → dark; auto follows the system setting. */
export function ThemeToggle() {
  const [choice, setChoice] = useState<ThemeChoice>(themeChoice);
  return (
    <button
      type="button"
      class="theme-toggle"
      data-testid="theme-toggle"
      aria-label={`colour theme: ${choice} (press for ${NEXT[choice]})`}
      title={`theme: ${choice}`}
      onClick={() => {
        const next = NEXT[choice];
        setThemeChoice(next);
        setChoice(next);
      }}
    >
      {choice === "auto" ? "◐ auto" : choice === "light" ? "☀ light" : "☾ dark"}
    </button>
  );
}
