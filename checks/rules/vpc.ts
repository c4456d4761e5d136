import type { Rule } from "../engine";
import { list } from "../policy";
import { blocks } from "../stack-view";
import { isTrue, setString } from "./helpers";

/** VPC mode: no internet path, flow logs, closed default security group, HTTPS-only groups, private endpoints. */
export const VPC_RULES: readonly Rule[] = [
  {
    id: "vpc.no-internet-path",
    title: "no internet or NAT gateway, no route to one, no public IPs on launch",
    check: (v) => [
      ...v
        .ofType("aws_internet_gateway", "aws_egress_only_internet_gateway", "aws_nat_gateway")
        .map((resource) => ({ resource, message: "gives the VPC a path to the internet" })),
      ...v
        .ofType("aws_route")
        .filter((r) => setString(r.body.gateway_id) || setString(r.body.nat_gateway_id))
        .map((resource) => ({ resource, message: "routes to a gateway" })),
      ...v
        .ofType("aws_route_table")
        .filter((t) =>
          blocks(t.body.route).some((r) => setString(r.gateway_id) || setString(r.nat_gateway_id)),
        )
        .map((resource) => ({ resource, message: "has a route to a gateway" })),
      ...v
        .ofType("aws_subnet")
        .filter((s) => isTrue(s.body.map_public_ip_on_launch))
        .map((resource) => ({ resource, message: "maps public IPs on launch" })),
    ],
  },
  {
    id: "vpc.flow-logs",
    title: "every VPC has flow logs",
    check: (v) =>
      v
        .ofType("aws_vpc")
        .filter((vpc) => !v.ofType("aws_flow_log").some((f) => v.resolve(f.body.vpc_id) === vpc))
        .map((resource) => ({ resource, message: "has no flow log" })),
  },
  {
    id: "vpc.default-sg-closed",
    title: "every VPC's default security group is adopted with no rules",
    check: (v) => [
      ...v
        .ofType("aws_vpc")
        .filter(
          (vpc) => !v.ofType("aws_default_security_group").some((g) => v.resolve(g.body.vpc_id) === vpc),
        )
        .map((resource) => ({
          resource,
          message: "leaves its default security group unmanaged (it allows all traffic within the group)",
        })),
      ...v
        .ofType("aws_default_security_group")
        .filter((g) => blocks(g.body.ingress).length > 0 || blocks(g.body.egress).length > 0)
        .map((resource) => ({ resource, message: "default security group has rules" })),
    ],
  },
  {
    id: "vpc.sg-https-only",
    title: "security groups allow TCP 443 only",
    check: (v) => {
      const https = (r: Record<string, unknown>) =>
        ["tcp", "6"].includes(String(r.protocol ?? r.ip_protocol)) &&
        Number(r.from_port) === 443 &&
        Number(r.to_port) === 443;
      return [
        ...v
          .ofType("aws_security_group")
          .flatMap((g) =>
            [...blocks(g.body.ingress), ...blocks(g.body.egress)]
              .filter((r) => !https(r))
              .map(() => ({ resource: g, message: "has a rule other than TCP 443" })),
          ),
        ...v
          .ofType(
            "aws_security_group_rule",
            "aws_vpc_security_group_ingress_rule",
            "aws_vpc_security_group_egress_rule",
          )
          .filter((r) => !https(r.body))
          .map((resource) => ({ resource, message: "allows something other than TCP 443" })),
      ];
    },
  },
  {
    id: "vpc.endpoint-private",
    title: "interface endpoints use private DNS and a security group",
    check: (v) =>
      v
        .ofType("aws_vpc_endpoint")
        .filter((e) => e.body.vpc_endpoint_type === "Interface")
        .filter(
          (e) =>
            !isTrue(e.body.private_dns_enabled) || list(e.body.security_group_ids as string[]).length === 0,
        )
        .map((resource) => ({ resource, message: "has no private DNS or no security group" })),
  },
];
