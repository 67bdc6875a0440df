import { useRef, useState } from "preact/hooks";
import { formatValue } from "../../lib/format.ts";
import { atOrBefore, unionSteps } from "../../lib/media-steps.ts";
import { fileUrl, type HistoryRow, type RunView } from "../api.ts";
import { useRunsKeyRows } from "../key-rows.ts";
import { ErrorBox } from "../use-async.tsx";
import { useInView } from "../use-in-view.ts";

type Media = Record<string, unknown> & { _type: string; path?: string; caption?: string };

/** Media kinds the side-by-side panel shows; tables and custom charts have panels of their own on the run page. */
export const GRID_MEDIA_TYPES = new Set(["image-file", "audio-file", "video-file", "html-file", "object3D-file"]);

export function isGridMedia(value: unknown): boolean {
  const first = Array.isArray(value) ? value[0] : value;
  return first !== null && typeof first === "object" && GRID_MEDIA_TYPES.has(String((first as Media)._type));
}

/**
 * One media key across the visible runs at one step: a column per run (its colour and name on top)
 * showing what it logged at the last step at or before the slider's, with one slider for the panel.
 * Images load lazily and nothing is fetched on hover; audio and video load when played.
 */
export function MediaGridPanel({
  mediaKey,
  runs,
  colors,
  live,
}: {
  mediaKey: string;
  runs: readonly RunView[];
  colors: ReadonlyMap<string, string>;
  live?: ReadonlyMap<string, readonly HistoryRow[]>;
}) {
  const box = useRef<HTMLDivElement>(null);
  const inView = useInView(box);
  const { rows, error, complete } = useRunsKeyRows(runs, mediaKey, inView, live);
  const stepsOf = new Map([...rows].map(([id, list]) => [id, list.map((row) => row._step)]));
  const steps = unionSteps(stepsOf.values());
  const [chosen, setChosen] = useState<number | undefined>();
  // Until the slider moves, the newest step; a chosen step stays while runs are toggled.
  const index = chosen === undefined ? steps.length - 1 : Math.max(0, atOrBefore(steps, chosen));
  const step = steps[index];
  return (
    <div class="panel media-grid-panel" ref={box} data-media-panel={mediaKey} data-runs={rows.size} data-step={step ?? ""}>
      <div class="panel-head">
        <h3 title={mediaKey}>{mediaKey}</h3>
        <span class="muted">{step === undefined ? "" : `step ${step}`}</span>
      </div>
      {error && <ErrorBox error={error} />}
      {steps.length > 1 && (
        <input
          class="media-step"
          type="range"
          aria-label={`${mediaKey} step`}
          min={0}
          max={steps.length - 1}
          value={index}
          onInput={(e) => setChosen(steps[Number(e.currentTarget.value)])}
        />
      )}
      {runs.length === 0 ? (
        <p class="muted">no visible runs</p>
      ) : !complete && rows.size === 0 ? (
        <p class="muted">…</p>
      ) : (
        <div class="media-grid">
          {runs.map((run) => {
            const list = rows.get(run.id);
            if (list === undefined) return null;
            const at = step === undefined ? -1 : atOrBefore(stepsOf.get(run.id) ?? [], step);
            const row = list[at];
            return (
              <div class="media-column" key={run.id} data-run-id={run.id} data-step={row?._step ?? ""}>
                <div class="media-run" title={run.name}>
                  <span class="swatch" style={{ background: colors.get(run.id) }} />
                  <span class="media-run-name">{run.name}</span>
                </div>
                {row === undefined ? (
                  <p class="muted">nothing logged by step {step}</p>
                ) : (
                  <>
                    <div class="muted media-at">step {row._step}</div>
                    {(Array.isArray(row[mediaKey]) ? (row[mediaKey] as Media[]) : [row[mediaKey] as Media]).map((item, i) => (
                      <GridItem key={`${row._step}:${i}`} run={run} item={item} />
                    ))}
                  </>
                )}
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}

function GridItem({ run, item }: { run: RunView; item: Media }) {
  if (item === null || typeof item !== "object") return <code>{formatValue(item)}</code>;
  const src = typeof item.path === "string" ? fileUrl(run, item.path) : undefined;
  const caption = item.caption === undefined ? null : <figcaption>{String(item.caption)}</figcaption>;
  if (src === undefined) return <code>{formatValue(item)}</code>;
  switch (item._type) {
    case "image-file":
      return (
        <figure>
          <img src={src} alt={String(item.caption ?? "")} loading="lazy" decoding="async" />
          {caption}
        </figure>
      );
    case "audio-file":
      return (
        <figure>
          {/* biome-ignore lint/a11y/useMediaCaption: logged media come without caption tracks; the caption text is below */}
          <audio controls preload="none" src={src} />
          {caption}
        </figure>
      );
    case "video-file":
      return (
        <figure>
          {String(item.path).endsWith(".gif") ? (
            <img src={src} alt={String(item.caption ?? "")} loading="lazy" decoding="async" />
          ) : (
            // biome-ignore lint/a11y/useMediaCaption: logged media come without caption tracks; the caption text is below
            <video controls preload="none" src={src} />
          )}
          {caption}
        </figure>
      );
    default:
      // HTML and 3D objects as downloads: logged HTML never runs on the dashboard's origin.
      return (
        <a href={src} download>
          {item._type.replace(/-file$/, "")}: {String(item.path).split("/").pop()}
        </a>
      );
  }
}
