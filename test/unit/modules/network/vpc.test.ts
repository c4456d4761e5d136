import { readFileSync } from "node:fs";
import { ConfigError, parseAccountConfig } from "../../../../config/load";
import { vpcEndpointServices } from "../../../../contracts/endpoints";
import { type StackJson, synthConfig } from "../../../support/synth";

const local = readFileSync("accounts/local.yaml", "utf8");
const withVpc = (section: string) => local.replace(/\nrollout:/, `\nvpc:\n${section}\n\nrollout:`);

function configErrors(section: string): string[] {
  try {
    parseAccountConfig(withVpc(section), "vpc.yaml");
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => i.text);
    throw e;
  }
  return [];
}

describe("vpc config", () => {
  it.each([
    ["  enabled: true\n  cidr: 10.80.0.0/33", 'vpc.cidr: "10.80.0.0/33" has a prefix length above 32'],
    [
      "  enabled: true\n  cidr: 10.80.1.0/22",
      'vpc.cidr: "10.80.1.0/22" has host bits set; the network is 10.80.0.0/22',
    ],
    ["  enabled: true\n  cidr: 10.80.0.0/26", 'vpc.cidr: "10.80.0.0/26" is a /26; use a /16 to /24'],
    ["  enabled: true\n  cidr: 10.0.0.0/8", 'vpc.cidr: "10.0.0.0/8" is a /8; use a /16 to /24'],
    ["  enabled: true\n  cidr: 8.8.8.0/24", 'vpc.cidr: "8.8.8.0/24" is not a private range'],
    ["  enabled: true\n  cidr: 10.80.0/22", 'vpc.cidr: "10.80.0/22" is not an IPv4 CIDR'],
    [
      "  enabled: true\n  cidr: 10.80.0.0/22\n  reservedCidrs: [10.80.2.0/24]",
      'vpc.cidr: "10.80.0.0/22" overlaps vpc.reservedCidrs[0] ("10.80.2.0/24")',
    ],
    [
      "  enabled: true\n  reservedCidrs: [300.0.0.0/8]",
      'vpc.reservedCidrs[0]: "300.0.0.0/8" has an octet above 255',
    ],
    ["  enabled: true\n  subnets: 2", "vpc.subnets: unknown key"],
  ])("refuses %j", (section, message) => {
    expect(configErrors(section).join("\n")).toContain(message);
  });

  it("refuses VPC mode outside us-east-1: Organizations and Cost Explorer have endpoints only there", () => {
    const errors = (() => {
      try {
        parseAccountConfig(
          withVpc("  enabled: true").replace(
            /(\nadmin:[\s\S]*?regions: )\[us-east-1\]/,
            "$1[eu-west-1, us-east-1]",
          ),
          "vpc.yaml",
        );
      } catch (e) {
        if (e instanceof ConfigError) return e.issues.map((i) => i.text);
        throw e;
      }
      return [];
    })();
    expect(errors.join("\n")).toMatch(
      /vpc\.enabled: is true, but the functions run in eu-west-1 and (ce and organizations|organizations and ce) .* have API and VPC endpoints only in us-east-1, .*make us-east-1 the admin's primary region/,
    );
  });

  it("accepts a private /22 next to reserved networks it does not overlap", () => {
    expect(
      configErrors("  enabled: true\n  cidr: 10.80.0.0/22\n  reservedCidrs: [10.0.0.0/16, 10.80.4.0/22]"),
    ).toEqual([]);
  });

  it("is off by default", () => {
    expect(parseAccountConfig(local, "local.yaml").vpc).toEqual({
      enabled: false,
      cidr: "10.80.0.0/22",
      reservedCidrs: [],
    });
  });
});

describe("VPC mode in the admin stack", () => {
  let admin: StackJson;
  let plain: StackJson;
  beforeAll(() => {
    admin = synthConfig(parseAccountConfig(withVpc("  enabled: true\n  cidr: 10.80.0.0/22"), "vpc.yaml"))
      .stacks.admin!;
    plain = synthConfig(parseAccountConfig(local, "local.yaml")).stacks.admin!;
  }, 240_000);

  const all = (stack: StackJson, type: string): StackJson[] => Object.values(stack.resource?.[type] ?? {});

  it("adds no network resources when VPC mode is off", () => {
    expect(all(plain, "aws_vpc")).toHaveLength(0);
    expect(all(plain, "aws_lambda_function").every((f) => f.vpc_config === undefined)).toBe(true);
  });

  it("splits the CIDR into two private subnets in two AZs, without public IPs", () => {
    const subnets = all(admin, "aws_subnet");
    expect(subnets.map((s) => [s.cidr_block, s.availability_zone, s.map_public_ip_on_launch])).toEqual([
      ["10.80.0.0/23", "us-east-1a", false],
      ["10.80.2.0/23", "us-east-1b", false],
    ]);
    expect(all(admin, "aws_route_table").map((t) => t.route)).toEqual([undefined]);
  });

  it("has gateway endpoints for S3 and DynamoDB and private-DNS interface endpoints for the called services", () => {
    const endpoints = all(admin, "aws_vpc_endpoint");
    const byType = (t: string) =>
      endpoints.filter((e) => e.vpc_endpoint_type === t).map((e) => String(e.service_name).split(".").pop());
    expect(byType("Gateway").sort()).toEqual(["dynamodb", "s3"]);
    // Including what the issue's first list missed: EventBridge, Cognito, CloudWatch metrics, CloudFormation.
    expect(byType("Interface")).toEqual(
      expect.arrayContaining([
        "events",
        "cognito-idp",
        "monitoring",
        "cloudformation",
        "organizations",
        "ce",
      ]),
    );
    expect(byType("Interface").sort()).toEqual(
      vpcEndpointServices()
        .filter((s) => !s.gateway)
        .map((s) => s.service)
        .sort(),
    );
    expect(
      endpoints.filter((e) => e.vpc_endpoint_type === "Interface").every((e) => e.private_dns_enabled),
    ).toBe(true);
  });

  it("attaches every function to both subnets with the functions' security group and ENI permissions", () => {
    const fns = all(admin, "aws_lambda_function");
    expect(fns.length).toBeGreaterThan(0);
    for (const f of fns) {
      expect(f.vpc_config.subnet_ids).toHaveLength(2);
      expect(f.vpc_config.security_group_ids).toEqual([
        expect.stringMatching(/^\$\{aws_security_group\.vpc_lambda-sg_\w+\.id\}$/),
      ]);
    }
    const vpcPolicies = all(admin, "aws_iam_role_policy").filter((p) => p.name === "vpc-access");
    expect(vpcPolicies).toHaveLength(fns.length);
    // The function waits for its ENI permissions (a plain address: terraform refuses expressions here).
    for (const f of fns)
      expect(f.depends_on).toContainEqual(
        expect.stringMatching(/^aws_iam_role_policy\.[\w-]+_vpc-access_\w+$/),
      );
  });

  it("keeps the default security group without rules and the others to TCP 443", () => {
    const [dflt] = all(admin, "aws_default_security_group");
    expect(dflt.ingress).toBeUndefined();
    expect(dflt.egress).toBeUndefined();
    const rules = all(admin, "aws_security_group").flatMap((g) => [...g.ingress, ...g.egress]);
    expect(rules.map((r) => [r.protocol, r.from_port, r.to_port])).toEqual([
      ["tcp", 443, 443],
      ["tcp", 443, 443],
    ]);
  });

  it("delivers flow logs of all traffic through a role that may write only its own log group", () => {
    const [flow] = all(admin, "aws_flow_log");
    expect(flow.traffic_type).toBe("ALL");
    const policy = all(admin, "aws_iam_role_policy").find((p) => p.name === "deliver-to-own-log-group")!;
    const statements = JSON.parse(policy.policy).Statement;
    expect(statements).toEqual([
      expect.objectContaining({
        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        Resource: [
          expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.vpc_flow-logs_\w+\.arn\}$/),
          expect.stringMatching(/\.arn\}:\*$/),
        ],
      }),
    ]);
    const [group] = all(admin, "aws_cloudwatch_log_group").filter((g) => g.name === "/finops/vpc/flow-logs");
    expect(group.kms_key_id).toMatch(/^\$\{aws_kms_key\./);
  });
});
