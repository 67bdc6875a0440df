import { useEffect, useState } from "preact/hooks";

/** The user's choice; "auto" follows the system's prefers-color-scheme. Kept in localStorage. */
export type ThemeChoice = "auto" | "light" | "dark";
export type Theme = "light" | "dark";

const STORAGE = "runlog.theme";
const CHANGE = "runlog-theme";
const darkQuery = () => window.matchMedia("(prefers-color-scheme: dark)");

export function themeChoice(): ThemeChoice {
  const stored = localStorage.getItem(STORAGE);
  return stored === "light" || stored === "dark" ? stored : "auto";
}

export function resolveTheme(choice: ThemeChoice, systemDark: boolean): Theme {
  return choice === "auto" ? (systemDark ? "dark" : "light") : choice;
}

/** Puts the resolved theme on <html data-theme>, where the stylesheet's colour variables switch. */
export function applyTheme(): Theme {
  const theme = resolveTheme(themeChoice(), darkQuery().matches);
  document.documentElement.dataset.theme = theme;
  return theme;
}

/** Re-applies the theme when the system setting changes (on "auto"), for pages without a chart listening. */
export function followSystemTheme(): void {
  darkQuery().addEventListener("change", () => {
    applyTheme();
    window.dispatchEvent(new Event(CHANGE));
  });
}

export function setThemeChoice(choice: ThemeChoice): void {
  if (choice === "auto") localStorage.removeItem(STORAGE);
  else localStorage.setItem(STORAGE, choice);
  applyTheme();
  window.dispatchEvent(new Event(CHANGE));
}

/** The theme now in effect; components that paint on canvas re-render when it changes. */
export function useTheme(): Theme {
  const [theme, setTheme] = useState<Theme>(() => applyTheme());
  useEffect(() => {
    const update = () => setTheme(applyTheme());
    const query = darkQuery();
    query.addEventListener("change", update);
    window.addEventListener(CHANGE, update);
    return () => {
      query.removeEventListener("change", update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return theme;
}

/** A colour variable of the stylesheet, for canvas drawing (uPlot's axes and grid). */
export function cssColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
