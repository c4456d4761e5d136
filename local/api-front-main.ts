/**
 * The local API front as its own process: what `npm run local` leaves running in the background
 * (local/api-front-service.ts starts it detached and records its PID; `npm run local:down` stops it).
 * Reads the landing from the emulator (FINOPS_CONFIG, FINOPS_MOTO_PORT), listens on FINOPS_FRONT_PORT
 * and serves the console from FINOPS_CONSOLE_DIST when set. Prints one line with its URL, then a log
 * line per request; stops on SIGTERM or SIGINT.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { configFileFromEnv, loadAccountConfig } from "../config/load";
import { apiFrontPort, motoPort } from "../config/target";
import { DynamoRepository } from "../functions/api/dynamo-repository";
import { documentClient } from "../functions/shared/app-tables-env";
import { apiFrontOptionsFromEmulator, startApiFront } from "./api-front";

async function main(): Promise<void> {
  const config = loadAccountConfig(configFileFromEnv());
  const motoEndpoint = `http://127.0.0.1:${motoPort()}`;
  const log = (line: string) => console.log(line);
  const options = await apiFrontOptionsFromEmulator(config, motoEndpoint, {
    port: apiFrontPort(),
    staticDir: process.env.FINOPS_CONSOLE_DIST || undefined,
    log,
  });
  const front = await startApiFront(options);
  console.log(`api-front  listening on ${front.url} (API under /api, user pool ${options.userPoolId})`);
  // Executions live in this process: a change still pending from a previous front gets a new
  // execution, whose first step stores a new task token on it (its decision timeout starts again).
  const repo = new DynamoRepository(
    documentClient(
      new DynamoDBClient({
        endpoint: motoEndpoint,
        region: options.region,
        credentials: options.credentials,
        maxAttempts: 2,
      }),
    ),
    options.tables,
  );
  for (const change of await repo.listBudgetChanges({ status: "pending" })) {
    await repo.setChangeExecution(
      change.changeId,
      await options.approvals.start({ changeId: change.changeId }),
    );
    console.log(`api-front  budget change ${change.changeId} was pending: its approval workflow runs again`);
  }
  const stop = () => {
    front.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((e) => {
  console.error(`api-front  could not start: ${(e as Error).message}`);
  process.exit(1);
});
