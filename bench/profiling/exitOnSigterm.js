// Preloaded into a pack process when the bench profiles it (`node --cpu-prof --require this`):
// run-policy-pack does not handle SIGTERM, and V8 writes a --cpu-prof profile only on a normal exit.
process.on("SIGTERM", () => process.exit(0));
