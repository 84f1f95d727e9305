// Preloaded with NODE_OPTIONS="--require <this>" (which refuses --cpu-prof) to profile every Node
// process of a command, children included: starts V8's profiler through the inspector and writes
// <KEYGUARD_CPU_PROFILE_DIR>/<pid>.cpuprofile when the process exits (SIGTERM included).
const inspector = require("node:inspector");
const fs = require("node:fs");
const path = require("node:path");

const directory = process.env.KEYGUARD_CPU_PROFILE_DIR;
if (directory) {
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 1000 });
  session.post("Profiler.start");
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // The in-thread inspector session answers synchronously, so this works inside an exit handler.
    session.post("Profiler.stop", (error, result) => {
      if (error) return;
      fs.mkdirSync(directory, { recursive: true });
      const name = `${path.basename(process.argv[1] || "node")}-${process.pid}.cpuprofile`;
      fs.writeFileSync(path.join(directory, name), JSON.stringify(result.profile));
    });
  };
  process.on("exit", write);
  process.on("SIGTERM", () => {
    write();
    process.exit(0);
  });
}
