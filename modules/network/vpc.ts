import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { type Cidr, isCidr, parseCidr, subnets } from "../../contracts/cidr";
import { unreachableEndpoints, vpcEndpointServices } from "../../contracts/endpoints";
import { addServiceRole } from "../service-role";

export { SDK_CLIENT_ENDPOINTS, vpcEndpointServices } from "../../contracts/endpoints";

export interface PrivateVpcProps {
  /** Prefix of names and Name tags. */
  readonly namePrefix: string;
  readonly cidr: string;
  readonly region: string;
  readonly accountId: string;
  /** Customer-managed key (ARN) of the flow log group. */
  readonly logKmsKeyArn: string;
  readonly flowLogRetentionDays: number;
  /** prevent_destroy on the flow log group. @default true */
  readonly preventDestroy?: boolean;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * A VPC for the admin account's functions with no path to the internet: two private subnets in
 * two AZs, one route table without routes (only the gateway endpoints' prefix lists), gateway
 * endpoints for S3 and DynamoDB, interface endpoints with private DNS behind a 443-only security
 * group for every service the functions call (contracts/endpoints.ts), flow logs of all
 * traffic to a KMS-encrypted log group, and the default security group adopted with every rule
 * removed. Only in us-east-1: Organizations and Cost Explorer have endpoints nowhere else.
 */
export class PrivateVpc extends Construct {
  readonly vpc: Vpc;
  readonly subnets: Subnet[];
  readonly endpointSecurityGroup: SecurityGroup;
  /** Attach functions with this group: egress TCP 443 only, no ingress. */
  readonly lambdaSecurityGroup: SecurityGroup;
  readonly flowLogGroup: CloudwatchLogGroup;
  readonly endpoints: VpcEndpoint[] = [];

  constructor(scope: Construct, id: string, props: PrivateVpcProps) {
    super(scope, id);
    const { provider, region, namePrefix } = props;
    const cidr = parseCidr(props.cidr);
    if (!isCidr(cidr)) throw new Error(`PrivateVpc: ${cidr.error}`);
    const unreachable = unreachableEndpoints(region);
    if (unreachable.length > 0) {
      throw new Error(
        `PrivateVpc in ${region}: ${unreachable.map((s) => `${s.service} (${s.why})`).join(", ")} ${unreachable.length > 1 ? "have" : "has"} API and VPC endpoints only in us-east-1, and a function in this VPC has no route out to reach them; put the admin's primary region (admin.regions[0]) in us-east-1 or set vpc.enabled to false`,
      );
    }
    const name = (suffix: string) => ({ Name: `${namePrefix}-${suffix}` });

    this.vpc = new Vpc(this, "vpc", {
      provider,
      cidrBlock: (cidr as Cidr).text,
      enableDnsSupport: true, // private DNS of interface endpoints needs both
      enableDnsHostnames: true,
      tags: name("vpc"),
    });

    new DefaultSecurityGroup(this, "default-sg", {
      provider,
      vpcId: this.vpc.id,
      // No ingress or egress blocks: Terraform removes every rule of the default group.
      tags: name("default-deny-all"),
    });

    const routes = new RouteTable(this, "private-routes", {
      provider,
      vpcId: this.vpc.id,
      tags: name("private"),
    });

    const [a, b] = subnets(cidr as Cidr, 1);
    this.subnets = [
      { az: `${region}a`, block: a! },
      { az: `${region}b`, block: b! },
    ].map(({ az, block }, i) => {
      const subnet = new Subnet(this, `private-${i}`, {
        provider,
        vpcId: this.vpc.id,
        cidrBlock: block,
        availabilityZone: az,
        mapPublicIpOnLaunch: false,
        tags: name(`private-${az}`),
      });
      new RouteTableAssociation(this, `private-${i}-routes`, {
        provider,
        subnetId: subnet.id,
        routeTableId: routes.id,
      });
      return subnet;
    });

    this.endpointSecurityGroup = new SecurityGroup(this, "endpoints-sg", {
      provider,
      name: `${namePrefix}-endpoints`,
      description: "Interface endpoints: HTTPS from inside the VPC only",
      vpcId: this.vpc.id,
      ingress: [
        {
          description: "HTTPS from the VPC",
          protocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrBlocks: [(cidr as Cidr).text],
        },
      ],
      egress: [],
      tags: name("endpoints"),
    });

    this.lambdaSecurityGroup = new SecurityGroup(this, "lambda-sg", {
      provider,
      name: `${namePrefix}-functions`,
      description: "Functions: HTTPS out only; the VPC has no internet route, so only endpoints answer",
      vpcId: this.vpc.id,
      ingress: [],
      egress: [
        {
          // Gateway endpoints (S3, DynamoDB) answer on public service addresses; no route leaves the VPC otherwise.
          description: "HTTPS to the VPC endpoints",
          protocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrBlocks: ["0.0.0.0/0"],
        },
      ],
      tags: name("functions"),
    });

    for (const { service, gateway } of vpcEndpointServices()) {
      this.endpoints.push(
        gateway
          ? new VpcEndpoint(this, `${service}-gateway`, {
              provider,
              vpcId: this.vpc.id,
              serviceName: `com.amazonaws.${region}.${service}`,
              vpcEndpointType: "Gateway",
              routeTableIds: [routes.id],
              tags: name(service),
            })
          : new VpcEndpoint(this, `${service}-interface`, {
              provider,
              vpcId: this.vpc.id,
              serviceName: `com.amazonaws.${region}.${service}`,
              vpcEndpointType: "Interface",
              privateDnsEnabled: true,
              subnetIds: this.subnets.map((s) => s.id),
              securityGroupIds: [this.endpointSecurityGroup.id],
              tags: name(service),
            }),
      );
    }

    this.flowLogGroup = new CloudwatchLogGroup(this, "flow-logs", {
      provider,
      name: `/${namePrefix}/vpc/flow-logs`,
      retentionInDays: props.flowLogRetentionDays,
      kmsKeyId: props.logKmsKeyArn,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    const { role } = addServiceRole(this, "flow-logs-role", {
      provider,
      name: `${namePrefix}-vpc-flow-logs`,
      description: "VPC flow logs delivery into their own log group only",
      service: "vpc-flow-logs.amazonaws.com",
      trust: { sourceAccount: props.accountId },
      policyId: "flow-logs-policy",
      policyName: "deliver-to-own-log-group",
      statements: [
        {
          Sid: "OwnLogGroupOnly",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: [`${this.flowLogGroup.arn}`, `${this.flowLogGroup.arn}:*`],
        },
      ],
    });
    new FlowLog(this, "flow-log", {
      provider,
      vpcId: this.vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: this.flowLogGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 600,
      tags: name("flow-log"),
    });
  }

  /** What a function needs to run in the private subnets. */
  get functionPlacement(): { subnetIds: string[]; securityGroupIds: string[] } {
    return { subnetIds: this.subnets.map((s) => s.id), securityGroupIds: [this.lambdaSecurityGroup.id] };
  }
}
