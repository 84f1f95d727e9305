#!/usr/bin/env node
// The package's `keyguard` command: a thin shim over the compiled gate (built to dist/ by
// `npm run build`, which `npm ci` runs through the prepare script).
"use strict";
const path = require("path");
const cli = path.join(__dirname, "..", "dist", "gate", "cli.js");
let gate;
try {
  gate = require(cli);
} catch (error) {
  if (error && error.code === "MODULE_NOT_FOUND" && String(error.message).includes(cli)) {
    process.stderr.write(`keyguard: error: ${cli} is missing; run \`npm run build\` (npm ci runs it) first\n`);
    process.exit(2);
  }
  throw error;
}
gate.run();
