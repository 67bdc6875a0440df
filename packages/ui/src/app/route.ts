import { useEffect, useState } from "preact/hooks";

/** The app routes by URL hash (`#/p/entity/project?order=-createdAt`), so the server serves one page. */
export interface Route {
  readonly parts: string[];
  readonly params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const [path = "", search = ""] = hash.replace(/^#/, "").split("?", 2);
  return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(search) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}

export function href(parts: string[], params: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams(
    Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ""),
  );
  const text = search.toString();
  return `#/${parts.map(encodeURIComponent).join("/")}${text ? `?${text}` : ""}`;
}

/**
 * Replaces some query parameters of the current URL without adding a history entry per keystroke.
 * Reads the hash as it is now, so a delayed update (typing) never undoes a newer one.
 */
export function updateParams(changes: Record<string, string | undefined>): void {
  const route = parseHash(location.hash);
  const params: Record<string, string | undefined> = Object.fromEntries(route.params);
  Object.assign(params, changes);
  history.replaceState(null, "", href(route.parts, params));
  window.dispatchEvent(new HashChangeEvent("hashchange"));
}
