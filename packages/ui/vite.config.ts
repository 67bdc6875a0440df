import { defineConfig } from "vite";

// The dashboard bundle: src/app → dist/app, relative asset paths (the app routes by URL hash).
export default defineConfig({
  root: "src/app",
  base: "./",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "../../dist/app", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 400 },
});
