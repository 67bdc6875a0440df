import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, getText, type RunView, runPath } from "../api.ts";

const KEEP_CHARS = 512 * 1024;

/** The run's console (`output.log`): loaded once, then only new bytes while the run is running. */
export function ConsoleTail({ run }: { run: RunView }) {
  const [text, setText] = useState("");
  const [missing, setMissing] = useState(false);
  const offset = useRef(0);
  const pre = useRef<HTMLPreElement>(null);

  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      try {
        const { text: more, size } = await getText(`${runPath(run)}/file/output.log?offset=${offset.current}`);
        offset.current = size;
        if (more && !stopped) setText((previous) => (previous + more).slice(-KEEP_CHARS));
      } catch (error) {
        if (error instanceof ApiError && error.code === "FILE_NOT_FOUND") setMissing(true);
      }
      if (!stopped && run.state === "running") setTimeout(poll, 1500);
    };
    void poll();
    return () => {
      stopped = true;
    };
  }, [run.id, run.state]);

  useEffect(() => {
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [text]);

  if (missing && text === "") return <p class="muted">No console output was captured for this run.</p>;
  return (
    <pre class="console" ref={pre} data-testid="console">
      {text}
    </pre>
  );
}
