import { formatBytes, formatTime } from "../../lib/format.ts";
import { fileUrl, getJson, type RunView, runPath } from "../api.ts";
import { ErrorBox, useAsync } from "../use-async.tsx";

interface FileView {
  path: string;
  size: number;
  sha256?: string;
  updatedAt: number;
}

export function FilesList({ run }: { run: RunView }) {
  const { data, error } = useAsync(() => getJson<FileView[]>(`${runPath(run)}/files`), [run.id]);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <p class="muted">Loading files…</p>;
  if (data.length === 0) return <p class="muted">No files saved with this run.</p>;
  return (
    <table class="grid" data-testid="files">
      <thead>
        <tr>
          <th>path</th>
          <th>size</th>
          <th>updated</th>
        </tr>
      </thead>
      <tbody>
        {data.map((file) => (
          <tr key={file.path}>
            <td>
              <a href={fileUrl(run, file.path)} download>
                {file.path}
              </a>
            </td>
            <td>{formatBytes(file.size)}</td>
            <td>{formatTime(file.updatedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
