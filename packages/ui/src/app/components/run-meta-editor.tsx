import { useEffect, useRef, useState } from "preact/hooks";
import { patchJson, type RunView, runPath } from "../api.ts";
import { Markdown } from "./markdown.tsx";

type Saved = Pick<RunView, "tags" | "notes">;

/** Sends one edit; the saved run on success, the server's message (INVALID_ARGUMENT, FORBIDDEN…) on failure. */
function useSave(run: RunView, onSaved: (saved: Saved) => void) {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const save = async (edit: Partial<Saved>): Promise<boolean> => {
    setSaving(true);
    setError(undefined);
    try {
      const saved = await patchJson<RunView>(runPath(run), edit);
      onSaved({ tags: saved.tags, notes: saved.notes });
      return true;
    } catch (failure) {
      setError((failure as Error).message);
      return false;
    } finally {
      setSaving(false);
    }
  };
  return { saving, error, save };
}

function EditError({ error }: { error: string | undefined }) {
  return error === undefined ? null : (
    <p class="error" role="alert" data-testid="edit-error">
      {error}
    </p>
  );
}

/** The run's tags: each with a remove button, and a field that adds one on Enter (or "Add"). Read-only without a write key. */
export function TagsEditor({
  run,
  editable,
  pending,
  onSaved,
}: {
  run: RunView;
  editable: boolean;
  /** While the session (what the key may do) is still loading. */
  pending: boolean;
  onSaved: (saved: Saved) => void;
}) {
  const { saving, error, save } = useSave(run, onSaved);
  const [draft, setDraft] = useState("");
  const add = async () => {
    const tag = draft.trim();
    if (tag === "" || run.tags.includes(tag)) return setDraft("");
    if (await save({ tags: [...run.tags, tag] })) setDraft("");
  };
  return (
    <div class="tags-editor" data-testid="tags-editor" data-edit={pending ? "pending" : editable ? "yes" : "no"}>
      {run.tags.length === 0 && <span class="muted">none</span>}
      {run.tags.map((tag) => (
        <span class="tag" key={tag} data-tag={tag}>
          {tag}
          {editable && (
            <button
              type="button"
              class="link tag-remove"
              aria-label={`remove tag ${tag}`}
              disabled={saving}
              onClick={() => save({ tags: run.tags.filter((t) => t !== tag) })}
            >
              ×
            </button>
          )}
        </span>
      ))}
      {editable && (
        <form
          class="tag-add"
          onSubmit={(event) => {
            event.preventDefault();
            void add();
          }}
        >
          <input
            type="text"
            aria-label="add tag"
            placeholder="add tag"
            value={draft}
            disabled={saving}
            onInput={(event) => setDraft((event.target as HTMLInputElement).value)}
          />
          <button type="submit" disabled={saving}>
            Add
          </button>
        </form>
      )}
      <EditError error={error} />
    </div>
  );
}

/** The run's notes, rendered inert; "Edit notes" opens a labelled text area with Save and Cancel (Escape cancels). */
export function NotesEditor({ run, editable, onSaved }: { run: RunView; editable: boolean; onSaved: (saved: Saved) => void }) {
  const [editing, setEditing] = useState(false);
  if (!editing) {
    return (
      <div class="notes-editor">
        {run.notes ? <Markdown text={run.notes} /> : <p class="muted">none</p>}
        {editable && (
          <button type="button" onClick={() => setEditing(true)}>
            Edit notes
          </button>
        )}
      </div>
    );
  }
  return <NotesForm run={run} onSaved={onSaved} onClose={() => setEditing(false)} />;
}

function NotesForm({ run, onSaved, onClose }: { run: RunView; onSaved: (saved: Saved) => void; onClose: () => void }) {
  const { saving, error, save } = useSave(run, onSaved);
  const [draft, setDraft] = useState(run.notes ?? "");
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => area.current?.focus(), []);
  const id = `notes-${run.id}`;
  return (
    <form
      class="notes-editor"
      onSubmit={async (event) => {
        event.preventDefault();
        if (await save({ notes: draft })) onClose();
      }}
      onKeyDown={(event) => {
        if (event.key === "Escape") onClose();
      }}
    >
      <label for={id}>Notes (markdown)</label>
      <textarea
        id={id}
        ref={area}
        rows={8}
        value={draft}
        disabled={saving}
        onInput={(event) => setDraft((event.target as HTMLTextAreaElement).value)}
      />
      <div class="toolbar">
        <button type="submit" disabled={saving}>
          Save notes
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
      <EditError error={error} />
    </form>
  );
}
