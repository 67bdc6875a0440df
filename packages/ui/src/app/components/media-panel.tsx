import { useState } from "preact/hooks";
import { formatValue } from "../../lib/format.ts";
import { fileUrl, getJson, getText, type HistoryRow, query, type RunView, runPath } from "../api.ts";
import { ErrorBox, useAsync } from "../use-async.tsx";
import { CustomChartView } from "./custom-chart.tsx";

type Media = Record<string, unknown> & { _type: string; path?: string; caption?: string };

export const MEDIA_TYPES = new Set([
  "image-file",
  "audio-file",
  "video-file",
  "html-file",
  "table-file",
  "incremental-table-file",
  "object3D-file",
  "custom-chart",
]);

export function isMedia(value: unknown): value is Media | Media[] {
  const first = Array.isArray(value) ? value[0] : value;
  return first !== null && typeof first === "object" && MEDIA_TYPES.has(String((first as Media)._type));
}

/** Rows of one key (only the steps where it was logged). */
export function useKeyRows(run: RunView, key: string) {
  return useAsync(async () => {
    const rows = await getJson<HistoryRow[]>(`${runPath(run)}/history${query({ keys: key, limit: 10_000 })}`);
    return rows.filter((row) => row[key] !== undefined && row[key] !== null);
  }, [run.id, key, run.lastStep]);
}

/** One media key: a step slider and the value logged at that step. */
export function MediaPanel({ run, mediaKey }: { run: RunView; mediaKey: string }) {
  const { data, error } = useKeyRows(run, mediaKey);
  const [index, setIndex] = useState<number | undefined>();
  if (error) return <ErrorBox error={error} />;
  if (!data) return <div class="panel muted">{mediaKey}</div>;
  if (data.length === 0) return <div class="panel muted">{mediaKey}: nothing logged</div>;
  const at = Math.min(index ?? data.length - 1, data.length - 1);
  const row = data[at] as HistoryRow;
  const value = row[mediaKey] as Media | Media[];
  return (
    <div class="panel media" data-media-key={mediaKey}>
      <h3>{mediaKey}</h3>
      {data.length === 1 ? (
        <p class="muted step-slider">step {row._step}</p>
      ) : (
        <label class="step-slider">
          step {row._step}
          <input
            type="range"
            aria-label={`${mediaKey} step`}
            min={0}
            max={data.length - 1}
            value={at}
            onInput={(e) => setIndex(Number(e.currentTarget.value))}
          />
        </label>
      )}
      <div class="media-items">
        {(Array.isArray(value) ? value : [value]).map((item, i) => (
          <MediaItem key={`${row._step}:${i}`} run={run} item={item} />
        ))}
      </div>
    </div>
  );
}

function MediaItem({ run, item }: { run: RunView; item: Media }) {
  const src = item.path === undefined ? undefined : fileUrl(run, item.path);
  const caption = item.caption === undefined ? null : <figcaption>{String(item.caption)}</figcaption>;
  switch (item._type) {
    case "image-file":
      return (
        <figure>
          <img src={src} alt={String(item.caption ?? "")} />
          {caption}
        </figure>
      );
    case "audio-file":
      return (
        <figure>
          {/* biome-ignore lint/a11y/useMediaCaption: logged media come without caption tracks; the caption text is below */}
          <audio controls src={src} />
          {caption}
        </figure>
      );
    case "video-file":
      return (
        <figure>
          {String(item.path).endsWith(".gif") ? (
            <img src={src} alt="" />
          ) : (
            // biome-ignore lint/a11y/useMediaCaption: logged media come without caption tracks; the caption text is below
            <video controls src={src} />
          )}
          {caption}
        </figure>
      );
    case "html-file":
      return <SandboxedHtml run={run} path={item.path as string} />;
    case "table-file":
    case "incremental-table-file":
      return <TableFile run={run} path={item.path as string} />;
    case "custom-chart":
      return <CustomChartView run={run} value={item as Media & { _type: "custom-chart" }} />;
    default:
      return src ? (
        <a href={src} download>
          {item._type}: {item.path}
        </a>
      ) : (
        <code>{formatValue(item)}</code>
      );
  }
}

/** Logged HTML never runs on the dashboard's origin: it is shown in an iframe sandboxed without scripts. */
function SandboxedHtml({ run, path }: { run: RunView; path: string }) {
  const { data, error } = useAsync(() => getText(`${runPath(run)}/file/${path}`), [run.id, path]);
  if (error) return <ErrorBox error={error} />;
  return <iframe class="html-media" title={path} sandbox="" srcdoc={data?.text ?? ""} />;
}

function TableFile({ run, path }: { run: RunView; path: string }) {
  const { data, error } = useAsync(() => getJson<{ columns: string[]; data: unknown[][] }>(`${runPath(run)}/file/${path}`), [run.id, path]);
  if (error) return <ErrorBox error={error} />;
  if (!data) return null;
  return (
    <div class="table-scroll">
      <table class="grid" data-testid="media-table">
        <thead>
          <tr>
            {data.columns.map((column) => (
              <th key={column}>{column}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.data.slice(0, 500).map((cells, r) => (
            <tr key={r}>
              {cells.map((cell, c) => (
                <td key={c}>{isMedia(cell) && !Array.isArray(cell) ? <MediaItem run={run} item={cell} /> : formatValue(cell)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
