/** The approvals function's Lambda entry: the store from the environment, the steps in app.ts. */
import { appTablesFromEnv } from "../shared/app-tables-env";
import { approvalsHandler } from "./app";
import { DynamoApprovalStore } from "./dynamo-store";

const { ddb, tables } = appTablesFromEnv();

export const handler = approvalsHandler(new DynamoApprovalStore(ddb, tables));
