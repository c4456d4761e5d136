import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { loadAccountConfig } from "../../config/load";
import type { AccountConfig } from "../../config/schema";
import { targetFor } from "../../config/target";
import { renderAwsConfig } from "../../deploy/aws-profiles";
import { synthLanding } from "../../deploy/synth";
import {
  lastLines,
  runTerraform,
  terraformEnv,
  terraformInit,
  terraformPlan,
  terraformShowJson,
} from "../../deploy/terraform";
import { bootstrapOrganization } from "../../local/bootstrap-org";
import { asAccount, emulatorEndpoint } from "../support/local-org";
import { awsProviders, type StackJson } from "../support/synth";

/**
 * organization.credentials "profiles" against the emulator: one saved plan, made with the plan
 * job's profile file, applied with the apply job's profile file.
 *
 * The stack is a member stack synthesized for the local target (emulator endpoints, local state),
 * whose providers get their credentials the way the profiles mode synthesizes them: the
 * local target's test keys and assume_role are removed and each provider carries the `profile`
 * that the factory wrote for target aws (taken from a synth of the same config with target aws and
 * credentials: profiles). The profile files are the real `renderAwsConfig` output. Terraform then
 * gets its source credentials only from the environment (credential_source = Environment).
 *
 * What the emulator cannot show: moto neither checks that the read role exists nor enforces
 * ReadOnlyAccess, so "the plan job cannot write" is a property of the roles in AWS, not tested here.
 */

const BASE = loadAccountConfig(path.join(__dirname, "../../accounts/local.yaml"));
const MEMBER: AccountConfig["members"][number] = {
  ...BASE.members[0]!,
  id: "777000000031",
  name: "pf-alpha",
  email: "pf-alpha@example.com",
  regions: ["us-east-1"],
  budget: undefined,
};
const LOCAL: AccountConfig = { ...BASE, members: [MEMBER] };
const AWS_PROFILES: AccountConfig = {
  ...LOCAL,
  target: "aws",
  organization: {
    ...LOCAL.organization,
    credentials: "profiles",
    stateBackend: { bucket: "pf-state", region: "us-east-1", keyPrefix: "finops-landing" },
  },
};
const STACK = "member-pf-alpha";

describe("per-account profiles on the emulator", () => {
  const work = mkdtempSync(path.join(os.tmpdir(), "finops-profiles-"));
  const synthDir = path.join(work, "synth");
  const dir = path.join(synthDir, "stacks", STACK);
  const planFile = path.join(work, `${STACK}.tfplan`);
  const files = { plan: path.join(work, "plan.ini"), apply: path.join(work, "apply.ini") };
  const base = terraformEnv(process.env.FINOPS_LOCAL_DIR!);
  /** Source credentials in the environment only, as configure-aws-credentials leaves them. */
  const envWith = (configFile: string): NodeJS.ProcessEnv => ({
    ...base,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: path.join(work, "no-credentials"),
    // The profile's AssumeRole goes to the emulator's STS like every other call.
    AWS_ENDPOINT_URL_STS: emulatorEndpoint(),
    AWS_PROFILE: "",
  });

  beforeAll(async () => {
    await bootstrapOrganization(LOCAL, emulatorEndpoint());
    const target = { ...targetFor(LOCAL), stateDir: path.join(work, "state") };
    synthLanding(LOCAL, synthDir, target);
    const profilesDir = path.join(work, "synth-profiles");
    mkdirSync(profilesDir);
    synthLanding(AWS_PROFILES, profilesDir);
    const wanted = JSON.parse(
      readFileSync(path.join(profilesDir, "stacks", STACK, "cdk.tf.json"), "utf8"),
    ) as StackJson;
    const file = path.join(dir, "cdk.tf.json");
    const json = JSON.parse(readFileSync(file, "utf8")) as StackJson;
    const byAlias = new Map(awsProviders(wanted).map((p) => [p.alias ?? "", p]));
    for (const p of awsProviders(json)) {
      const w = byAlias.get(p.alias ?? "")!;
      expect(w.assume_role).toBeUndefined();
      delete p.access_key;
      delete p.secret_key;
      delete p.assume_role;
      p.profile = w.profile;
    }
    writeFileSync(file, JSON.stringify(json, null, 2));
    writeFileSync(files.plan, renderAwsConfig(AWS_PROFILES, { role: "plan" }));
    writeFileSync(files.apply, renderAwsConfig(AWS_PROFILES, { role: "apply" }));
    const init = await terraformInit(dir, envWith(files.plan));
    if (init.code !== 0) throw new Error(`init failed: ${lastLines(init.stderr)}`);
  }, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("plans through the read profile and applies that saved plan through the deploy profile", async () => {
    const plan = await terraformPlan(dir, envWith(files.plan), planFile);
    expect({ code: plan.code, stderr: lastLines(plan.stderr) }).toEqual({ code: 2, stderr: "" });
    const shown = (await terraformShowJson(dir, envWith(files.plan), planFile)) as StackJson;
    const provider = shown.configuration.provider_config.aws.expressions;
    expect(provider.profile).toEqual({ constant_value: `finops-${MEMBER.id}` });
    expect(provider.assume_role).toBeUndefined();
    expect(provider.allowed_account_ids).toEqual({ constant_value: [MEMBER.id] });

    const apply = await runTerraform(
      dir,
      ["apply", "-input=false", "-no-color", planFile],
      envWith(files.apply),
    );
    expect({ code: apply.code, stderr: lastLines(apply.stderr) }).toEqual({ code: 0, stderr: "" });
    const ssm = new SSMClient(await asAccount(MEMBER.id, "us-east-1"));
    const p = await ssm.send(new GetParameterCommand({ Name: "/finops/central-bus-arn" }));
    expect(p.Parameter?.Value).toMatch(/^arn:aws:events:us-east-1:222222222222:event-bus\//);
  }, 600_000);

  it("refuses a profile that lands in another account (allowed_account_ids still guards)", async () => {
    const wrong = path.join(work, "wrong.ini");
    writeFileSync(
      wrong,
      readFileSync(files.plan, "utf8").replace(
        `role_arn = arn:aws:iam::${MEMBER.id}:role/`,
        `role_arn = arn:aws:iam::${BASE.members[0]!.id}:role/`,
      ),
    );
    const plan = await terraformPlan(dir, envWith(wrong), path.join(work, "wrong.tfplan"));
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(
      new RegExp(`${BASE.members[0]!.id}.*not allowed|not allowed.*${BASE.members[0]!.id}`, "s"),
    );
  }, 300_000);

  it("fails with the profile's name when the job wrote no profile file", async () => {
    const plan = await terraformPlan(
      dir,
      envWith(path.join(work, "missing.ini")),
      path.join(work, "none.tfplan"),
    );
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(`finops-${MEMBER.id}`);
  }, 300_000);
});
