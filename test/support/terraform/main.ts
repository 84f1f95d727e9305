/**
 * Runs the stand-in AWS provider as its own process: prints its address (`127.0.0.1:PORT`) on
 * stdout's first line once it is listening, writes `rpc NAME` on stderr for every call Terraform
 * makes, and stops on SIGTERM or SIGINT. Its own pid goes into TF_REATTACH_PROVIDERS: when Terraform
 * cannot reach the address it kills that pid, which must therefore be this process and nothing else.
 */
import { startStandInAwsProvider } from "./standInAwsProvider";

async function main(): Promise<void> {
  const provider = await startStandInAwsProvider((rpc) => process.stderr.write(`rpc ${rpc}\n`));
  process.stdout.write(`${provider.address}\n`);
  const stop = () => void provider.stop().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`stand-in AWS provider failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
