import type { RefObject } from "preact";
import { useEffect, useState } from "preact/hooks";

/** True once the element has come near the viewport: panels below the fold fetch nothing until scrolled to. */
export function useInView(ref: RefObject<HTMLElement | null>, margin = "300px"): boolean {
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (el === null || seen) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          setSeen(true);
          observer.disconnect();
        }
      },
      { rootMargin: margin },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref.current, seen]);
  return seen;
}
