/**
 * Preloaded (node --require) to run a process as if the `typescript` package were not installed, as
 * in a project that installed keyguard (typescript is one of keyguard's devDependencies): then
 * @pulumi/pulumi falls back to the TypeScript it vendors.
 */
const Module = require("module");
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === "typescript") {
    const error = new Error("Cannot find module 'typescript'");
    error.code = "MODULE_NOT_FOUND";
    throw error;
  }
  return resolve.call(this, request, ...rest);
};
