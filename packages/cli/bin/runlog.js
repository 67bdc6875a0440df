#!/usr/bin/env node
// A committed entry point, so npm can link the `runlog` command at install time (before the build).
await import("../dist/bin.js");
