import { ListAccountsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { loadAccountConfig } from "../../config/load";
import type { StackOutcome } from "../../deploy/apply";
import { Names } from "../../modules/naming";
import { asAccount, deployLocal } from "../support/local-org";

/**
 * The whole landing on the emulated organization: what `npm run local` does, asserted.
 * Checks the emulator's real API (moto) as each account; nothing here is mocked.
 */
describe("the landing deployed to the local organization", () => {
  const config = loadAccountConfig("accounts/local.yaml");
  const names = new Names(config);
  let outcomes: StackOutcome[];

  beforeAll(async () => {
    ({ outcomes } = await deployLocal(config));
  }, 1_800_000);

  it("applies every stack", () => {
    expect(outcomes.map((o) => [o.info.stack, o.status, o.error])).toEqual(
      outcomes.map((o) => [o.info.stack, expect.stringMatching(/^(applied|unchanged)$/), undefined]),
    );
  });

  it("plans no changes for any stack on a second plan", () => {
    // On failure the diff names what the second plan would still change.
    expect(outcomes.map((o) => [o.info.stack, o.clean, o.pending ?? []])).toEqual(
      outcomes.map((o) => [o.info.stack, true, []]),
    );
  });

  it("creates the organization's accounts under the configured ids", async () => {
    const org = new OrganizationsClient(await asAccount(config.payer.id));
    const ids = (await org.send(new ListAccountsCommand({}))).Accounts!.map((a) => a.Id);
    expect(ids).toEqual(
      expect.arrayContaining([config.payer.id, config.admin.id, ...config.members.map((m) => m.id)]),
    );
  });

  it.each([
    ["payer", () => config.payer.id, () => names.curBucket],
    ["admin", () => config.admin.id, () => names.curReplicaBucket],
  ])("creates the %s CUR bucket in its own account and in no other", async (_, owner, bucket) => {
    const others = [config.payer.id, config.admin.id].filter((id) => id !== owner());
    const list = async (id: string) =>
      ((await new S3Client(await asAccount(id)).send(new ListBucketsCommand({}))).Buckets ?? []).map(
        (b) => b.Name,
      );
    expect(await list(owner())).toContain(bucket());
    for (const id of others) expect(await list(id)).not.toContain(bucket());
  });

  it("writes the central bus ARN into every region of every member", async () => {
    for (const m of config.members) {
      for (const region of m.regions) {
        const ssm = new SSMClient(await asAccount(m.id, region));
        const p = await ssm.send(new GetParameterCommand({ Name: names.ssmParameter("central-bus-arn") }));
        expect(p.Parameter?.Value).toBe(names.centralBusArn);
      }
    }
  });
});
