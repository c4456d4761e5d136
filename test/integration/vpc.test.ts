import { readFileSync } from "node:fs";
import { loadAccountConfig, parseAccountConfig } from "../../config/load";
import { vpcEndpointServices } from "../../contracts/endpoints";
import type { StackOutcome } from "../../deploy/apply";
import { stackDir } from "../../deploy/synth";
import { runTerraform, terraformEnv } from "../../deploy/terraform";
import { deployLocal } from "../support/local-org";

/**
 * VPC mode turned on for an existing landing on the emulated organization: the admin stack without
 * a VPC first, then with vpc.enabled. The AWS provider does not plan a vpc_config added to an
 * existing function in the same apply that creates the subnets it names (their ids are unknown at
 * plan time, and the provider suppresses the diff: hashicorp/terraform-provider-aws#8509), so the
 * first apply creates the VPC and the second plan lists exactly the functions' updates; a second
 * apply moves them, and then a plan is clean. The state then shows what AWS would hold: no
 * internet path, a default security group with its rules removed, endpoints with private DNS, and
 * every function in the private subnets. (A landing created with vpc.enabled from the start gets
 * the functions in the VPC on the first apply: create sends the VPC config.)
 */
const config = parseAccountConfig(
  readFileSync("accounts/local.yaml", "utf8").replace(
    /\nrollout:/,
    "\nvpc:\n  enabled: true\n  cidr: 10.80.0.0/22\n  reservedCidrs: [10.0.0.0/16]\n\nrollout:",
  ),
  "accounts/local.yaml (VPC mode)",
);

interface StateResource {
  readonly type: string;
  readonly name: string;
  readonly values: Record<string, unknown>;
}

let before: StackOutcome;
let first: StackOutcome;
let outcome: StackOutcome;
let functionAddresses: string[];
let resources: StateResource[];

beforeAll(async () => {
  [before] = (await deployLocal(loadAccountConfig("accounts/local.yaml"), ["admin"])).outcomes;
  [first] = (await deployLocal(config, ["admin"])).outcomes;
  const { outdir, outcomes } = await deployLocal(config, ["admin"]);
  outcome = outcomes[0]!;
  const synthesized = JSON.parse(readFileSync(`${stackDir(outdir, "admin")}/cdk.tf.json`, "utf8"));
  functionAddresses = Object.keys(synthesized.resource.aws_lambda_function).map(
    (name) => `aws_lambda_function.${name}`,
  );
  const show = await runTerraform(
    stackDir(outdir, "admin"),
    ["show", "-json"],
    terraformEnv(process.env.FINOPS_LOCAL_DIR!),
  );
  const state = JSON.parse(show.stdout || "{}");
  resources = state.values?.root_module?.resources ?? [];
}, 900_000);

const ofType = (type: string) => resources.filter((r) => r.type === type).map((r) => r.values);

describe("VPC mode on the emulator", () => {
  it("turns on for an existing admin stack in two applies: the VPC, then the functions (provider #8509)", () => {
    expect(before.error).toBeUndefined();
    expect(before.clean).toBe(true);
    expect(first.error).toBeUndefined();
    expect(first.status).toBe("applied");
    expect(first.pending?.slice().sort()).toEqual(
      functionAddresses.map((a) => `${a} will be updated in-place`).sort(),
    );
  });

  it("applies the admin stack and plans clean a second time", () => {
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe("applied");
    expect(outcome.pending ?? []).toEqual([]); // names what a second plan would still change
    expect(outcome.clean).toBe(true);
  });

  it("creates one VPC with two private subnets in two AZs and no internet or NAT gateway", () => {
    expect(ofType("aws_vpc").map((v) => v.cidr_block)).toEqual(["10.80.0.0/22"]);
    const subnets = ofType("aws_subnet");
    expect(new Set(subnets.map((s) => s.availability_zone)).size).toBe(2);
    expect(subnets.every((s) => s.map_public_ip_on_launch === false)).toBe(true);
    expect(ofType("aws_internet_gateway")).toEqual([]);
    expect(ofType("aws_nat_gateway")).toEqual([]);
    const routes = ofType("aws_route_table").flatMap((t) => (t.route as unknown[]) ?? []);
    expect(routes).toEqual([]);
  });

  it("leaves the default security group without any rule", () => {
    const [dflt] = ofType("aws_default_security_group");
    expect(dflt!.ingress).toEqual([]);
    expect(dflt!.egress).toEqual([]);
  });

  it("serves the services through gateway and private-DNS interface endpoints", () => {
    const endpoints = ofType("aws_vpc_endpoint");
    expect(endpoints.filter((e) => e.vpc_endpoint_type === "Gateway")).toHaveLength(2);
    const iface = endpoints.filter((e) => e.vpc_endpoint_type === "Interface");
    // One per service of the endpoint table (contracts/endpoints.ts), in the admin's region.
    expect(iface.map((e) => String(e.service_name)).sort()).toEqual(
      vpcEndpointServices()
        .filter((s) => !s.gateway)
        .map((s) => `com.amazonaws.us-east-1.${s.service}`)
        .sort(),
    );
    expect(iface.every((e) => e.private_dns_enabled === true)).toBe(true);
  });

  it("runs every function in the private subnets with the functions' security group", () => {
    const subnetIds = new Set(ofType("aws_subnet").map((s) => s.id));
    const fns = ofType("aws_lambda_function");
    expect(fns.length).toBeGreaterThan(0);
    for (const f of fns) {
      const [vpc] = f.vpc_config as Array<{ subnet_ids: string[]; security_group_ids: string[] }>;
      expect(new Set(vpc!.subnet_ids)).toEqual(subnetIds);
      expect(vpc!.security_group_ids).toHaveLength(1);
    }
  });

  it("sends flow logs of all traffic to the KMS-encrypted log group", () => {
    const [flow] = ofType("aws_flow_log");
    expect(flow!.traffic_type).toBe("ALL");
    const group = ofType("aws_cloudwatch_log_group").find((g) => g.name === "/finops/vpc/flow-logs");
    expect(group!.kms_key_id).toMatch(/^arn:aws:kms:/);
  });
});
