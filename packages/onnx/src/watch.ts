import { Histogram, type ModelWatcher, registerWatcher } from "@runlog/core";
import { sessionInfo } from "./create-session.js";
import { initializerValues, readOnnxFile } from "./model-file.js";

/**
 * `run.watch(session | "model.onnx")`: ONNX models are static, so their initializers are logged
 * once as `parameters/<name>` histograms (there are no gradients to hook). A session must come
 * from createSession, which remembers its file.
 */
export const onnxWatcher: ModelWatcher = {
  name: "@runlog/onnx",
  claims: (model) => (typeof model === "string" && model.toLowerCase().endsWith(".onnx")) || sessionInfo(model) !== undefined,
  watch(model, run, options) {
    const path = typeof model === "string" ? model : (sessionInfo(model)?.modelPath as string);
    const { model: parsed, path: full } = readOnnxFile(path);
    if (options.log !== null) {
      const histograms: Record<string, Histogram> = {};
      for (const init of parsed.initializers) {
        if (!options.accepts(init.name)) continue;
        const values = initializerValues(init, full);
        if (values !== undefined && values.length > 0) histograms[`parameters/${init.name}`] = new Histogram(values);
      }
      run.log(histograms, { commit: false });
    }
    return { remove() {} };
  },
};

registerWatcher(onnxWatcher);
