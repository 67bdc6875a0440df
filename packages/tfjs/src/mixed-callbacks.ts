import type { Tf } from "./resolve-tf.js";

type CallbackEntry = { setParams?: unknown } & Record<string, unknown>;
interface CallbackListLike {
  callbacks: CallbackEntry[];
}

const PATCHED = Symbol.for("runlog.tfjs.mixedCallbacks");

/**
 * Lets plain-object callbacks follow a `tf.Callback` instance in `callbacks`.
 *
 * tfjs wraps plain objects in `tf.CustomCallback` only when the FIRST entry is one; when the first is
 * a `tf.Callback` (ours, `earlyStopping`) it keeps the array as is, and `CallbackList.setParams` then
 * calls `setParams` on the plain object: "callback.setParams is not a function". Before that call
 * this wraps every entry that has no `setParams` exactly as tfjs wraps a plain-object list, so the
 * order no longer matters. Entries tfjs already handles are left alone, so no working fit changes.
 * Installed once per tfjs copy (tfjs builds the list in `configureCallbacks` for fit and fitDataset).
 */
export function allowPlainCallbacksAnywhere(tf: Tf): void {
  const list = (tf as unknown as { CallbackList?: { prototype: Record<string | symbol, unknown> } }).CallbackList;
  if (list === undefined || list.prototype[PATCHED] === true) return;
  const setParams = list.prototype.setParams as (this: CallbackListLike, params: unknown) => void;
  Object.defineProperty(list.prototype, "setParams", {
    configurable: true,
    writable: true,
    value(this: CallbackListLike, params: unknown) {
      this.callbacks = this.callbacks.map((entry) =>
        typeof entry.setParams === "function" ? entry : (new tf.CustomCallback(entry as never) as unknown as CallbackEntry),
      );
      return setParams.call(this, params);
    },
  });
  Object.defineProperty(list.prototype, PATCHED, { value: true });
}
