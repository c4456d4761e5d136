import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { BootstrapNames } from "../../config/bootstrap-names";
import { loadAccountConfig } from "../../config/load";
import { Names } from "../../config/naming";
import type { AccountConfig } from "../../config/schema";
import { targetFor } from "../../config/target";
import { GITOPS_ROLE_NAMES } from "../../contracts/gitops";
import { renderAwsConfig } from "../../deploy/aws-profiles";
import { runBootstrap } from "../../deploy/bootstrap";
import { synthLanding } from "../../deploy/synth";
import { lastLines, terraformEnv, terraformInit, terraformPlan } from "../../deploy/terraform";
import { bootstrapOrganization } from "../../local/bootstrap-org";
import { isAllowed, statementsOf } from "../support/iam-eval";
import { asAccount, emulatorEndpoint } from "../support/local-org";
import { awsProviders, type StackJson } from "../support/synth";

/**
 * `npm run bootstrap` on the emulator (deploy/bootstrap.ts runBootstrap, what the script calls):
 * apply, a clean second plan, then a plan of a landing stack the way a pull request makes it: the
 * job's credentials are the plan role's (from the OIDC exchange), and every provider names its
 * account's profile, which assumes that account's read role (renderAwsConfig --role plan).
 *
 * What the emulator cannot show, and how it is covered instead: moto does not verify the GitHub
 * OIDC token (any token gets the plan role) and does not enforce IAM (an AssumeRole of any role
 * succeeds). So "the plan role cannot assume a deploy role" and "the apply role trusts only the
 * protected environment" are shown on the policy documents as IAM stores them after the apply,
 * evaluated by test/support/iam-eval.ts (Deny wins, Allow needed; conditions ignored, which only
 * widens what is allowed, so a "cannot" holds).
 */
const CONFIG = loadAccountConfig(path.join(__dirname, "../../accounts/local.yaml"));
const MEMBER = CONFIG.members[0]!;
const STACK = Names.memberStack(MEMBER);
const bn = new BootstrapNames(CONFIG);
const log: string[] = [];

/** The same organization as target aws with profiles: what the plan job's AWS config file is rendered from. */
const AS_AWS: AccountConfig = {
  ...CONFIG,
  target: "aws",
  organization: {
    ...CONFIG.organization,
    credentials: "profiles",
    stateBackend: {
      bucket: bn.stateBucket,
      region: CONFIG.organization.homeRegion,
      keyPrefix: bn.stateKeyPrefix,
    },
  },
};

async function iamOfPayer(): Promise<IAMClient> {
  return new IAMClient(await asAccount(CONFIG.payer.id));
}

/** IAM returns policy documents URL-encoded (RFC 3986). */
const decoded = (doc: string | undefined) => decodeURIComponent(doc ?? "");

describe("npm run bootstrap on the emulator", () => {
  const localDir = process.env.FINOPS_LOCAL_DIR!;
  const env = { ...terraformEnv(localDir), FINOPS_MOTO_PORT: process.env.FINOPS_MOTO_PORT! };
  const work = mkdtempSync(path.join(os.tmpdir(), "finops-bootstrap-it-"));
  const run = (mode: "apply" | "plan") =>
    runBootstrap({ config: CONFIG, target: targetFor(CONFIG), env, localDir, mode, log: (l) => log.push(l) });

  beforeAll(async () => {
    await bootstrapOrganization(CONFIG, emulatorEndpoint());
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("applies the bootstrap stack (adopting the delegated admin the organization bootstrap registered), and a second plan is clean", async () => {
    const first = await run("apply");
    expect(first.backend).toBe("local-target");
    // A rerun of the whole suite on a kept emulator finds it applied already: then nothing changes.
    expect(first.applied).toBe(first.changes);
    if (first.changes) {
      // The organization bootstrap registered the admin as StackSets delegated admin: adopted, not re-created.
      expect(log.filter((l) => l.startsWith("adopt"))).toEqual([
        expect.stringContaining(`${CONFIG.admin.id} is already a StackSets delegated administrator`),
      ]);
    }
    const second = await run("plan");
    expect(second.changes).toBe(false);
    expect(second.planOutput).toContain("No changes. Your infrastructure matches the configuration.");
  }, 900_000);

  it("made a plan role that may assume the read roles and no deploy role (policy as IAM stores it)", async () => {
    const iam = await iamOfPayer();
    const doc = await iam.send(
      new GetRolePolicyCommand({ RoleName: GITOPS_ROLE_NAMES.plan, PolicyName: "plan" }),
    );
    const plan = statementsOf(decoded(doc.PolicyDocument));
    const names = new Names(CONFIG);
    for (const a of [CONFIG.payer, CONFIG.admin, ...CONFIG.members]) {
      expect(isAllowed(plan, "sts:AssumeRole", BootstrapNames.readRoleArn(a.id))).toBe(true);
      expect(isAllowed(plan, "sts:AssumeRole", names.deployRoleArn(a))).toBe(false);
    }
    const apply = await iam.send(new GetRoleCommand({ RoleName: GITOPS_ROLE_NAMES.apply }));
    const trust = statementsOf(decoded(apply.Role?.AssumeRolePolicyDocument));
    expect(trust.map((s) => s.Condition)).toEqual([
      {
        StringEquals: {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": `repo:${CONFIG.gitops!.repository}:environment:production`,
        },
      },
    ]);
    iam.destroy();
  }, 120_000);

  it("plans a landing stack through the plan role and the member's read role, as a pull request would", async () => {
    // The job's OIDC exchange (moto does not verify the token), landing in the plan role.
    const sts = new STSClient({
      endpoint: emulatorEndpoint(),
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const web = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: bn.planRoleArn,
        RoleSessionName: "pull-request-7",
        WebIdentityToken: "not-verified-by-the-emulator",
      }),
    );
    sts.destroy();
    const c = web.Credentials!;
    expect(web.AssumedRoleUser?.Arn).toContain(`:assumed-role/${GITOPS_ROLE_NAMES.plan}/`);

    // The read role the member's profile names exists in the member's account (the bootstrap made it).
    const memberIam = new IAMClient(await asAccount(MEMBER.id));
    const read = await memberIam.send(new GetRoleCommand({ RoleName: GITOPS_ROLE_NAMES.read }));
    memberIam.destroy();
    expect(read.Role?.Arn).toBe(BootstrapNames.readRoleArn(MEMBER.id));

    // The member stack for the emulator, its providers naming the profile as target aws synthesizes them.
    const synthDir = path.join(work, "synth");
    const target = targetFor(CONFIG);
    if (target.kind !== "local") throw new Error("accounts/local.yaml is target local");
    synthLanding(CONFIG, synthDir, { ...target, stateDir: path.join(work, "state") });
    const awsDir = path.join(work, "synth-aws");
    mkdirSync(awsDir);
    synthLanding({ ...AS_AWS, gitops: undefined }, awsDir);
    const wanted = JSON.parse(
      readFileSync(path.join(awsDir, "stacks", STACK, "cdk.tf.json"), "utf8"),
    ) as StackJson;
    const dir = path.join(synthDir, "stacks", STACK);
    const file = path.join(dir, "cdk.tf.json");
    const json = JSON.parse(readFileSync(file, "utf8")) as StackJson;
    const byAlias = new Map(awsProviders(wanted).map((p) => [p.alias ?? "", p]));
    for (const p of awsProviders(json)) {
      delete p.access_key;
      delete p.secret_key;
      delete p.assume_role;
      p.profile = byAlias.get(p.alias ?? "")!.profile;
    }
    writeFileSync(file, JSON.stringify(json, null, 2));
    const profiles = path.join(work, "plan.ini");
    writeFileSync(profiles, renderAwsConfig(AS_AWS, { role: "plan" }));
    expect(readFileSync(profiles, "utf8")).toContain(`role_arn = ${BootstrapNames.readRoleArn(MEMBER.id)}`);
    const jobEnv: NodeJS.ProcessEnv = {
      ...env,
      AWS_ACCESS_KEY_ID: c.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: c.SecretAccessKey,
      AWS_SESSION_TOKEN: c.SessionToken,
      AWS_CONFIG_FILE: profiles,
      AWS_SHARED_CREDENTIALS_FILE: path.join(work, "no-credentials"),
      AWS_ENDPOINT_URL_STS: emulatorEndpoint(),
      AWS_PROFILE: "",
    };
    const init = await terraformInit(dir, jobEnv);
    expect({ code: init.code, stderr: lastLines(init.stderr) }).toEqual({ code: 0, stderr: "" });
    const plan = await terraformPlan(dir, jobEnv, path.join(work, `${STACK}.tfplan`));
    // A fresh state: the plan creates the member's baseline (2), read through the read role's profile.
    expect({ code: plan.code, stderr: lastLines(plan.stderr) }).toEqual({ code: 2, stderr: "" });
  }, 600_000);
});
