import { readFileSync } from "node:fs";
import { bySid, localConfig, resource, statements, synthPayer } from "../../../support/synth";

/**
 * The Organizations delegation policy the payer stack owns when account-sync reads the organization
 * as delegated admin: exactly the reads account-sync makes, for the admin root pinned to its role.
 */
const PAYER = "111111111111";
const ADMIN = "222222222222";
const ORG = `arn:aws:organizations::${PAYER}`;

/** The Organizations commands functions/account-sync/sync.ts sends, as IAM actions. */
function accountSyncOrganizationsActions(): string[] {
  const src = readFileSync("functions/account-sync/sync.ts", "utf8");
  const imports = /import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/client-organizations"/.exec(src)![1]!;
  return [...imports.matchAll(/(\w+)Command\b/g)].map((m) => `organizations:${m[1]}`).sort();
}

describe("Organizations delegation for account-sync (dataPlatform.accountSync.mode delegated-admin, the default)", () => {
  const payer = synthPayer(localConfig());
  const policy = resource(payer, "aws_organizations_resource_policy", "organizations-delegation/policy");

  it("allows the admin root only as account-sync's role, for exactly the reads account-sync makes", () => {
    const pin = { ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${ADMIN}:role/finops-account-sync` } };
    expect(statements(policy.content)).toEqual([
      {
        Sid: "AccountSyncListsAccounts",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ADMIN}:root` },
        Action: "organizations:ListAccounts",
        Resource: "*",
        Condition: pin,
      },
      {
        Sid: "AccountSyncReadsTheTree",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ADMIN}:root` },
        Action: ["organizations:ListParents", "organizations:DescribeOrganizationalUnit"],
        Resource: [`${ORG}:account/o-*/*`, `${ORG}:ou/o-*/ou-*`, `${ORG}:root/o-*/r-*`],
        Condition: pin,
      },
    ]);
  });

  it("delegates the same actions account-sync's code calls, nothing more and nothing less", () => {
    const delegated = statements(policy.content)
      .flatMap((st) => ([] as string[]).concat(st.Action))
      .sort();
    expect(delegated).toEqual(accountSyncOrganizationsActions());
  });

  it("delegates reads only", () => {
    const actions = statements(policy.content).flatMap((st) => ([] as string[]).concat(st.Action));
    expect(actions.filter((a) => !/^organizations:(List|Describe)/.test(a))).toEqual([]);
    expect(Object.keys(bySid(policy.content))).toHaveLength(2);
  });

  it("is made with the payer's own provider (the management account), not the admin alias", () => {
    expect(policy.provider).toBe("aws");
  });
});

describe("Organizations delegation with dataPlatform.accountSync.mode payer-role", () => {
  it("is not created: account-sync reads through the payer read role instead", () => {
    const payer = synthPayer(
      localConfig((d) => {
        d.dataPlatform = { ...d.dataPlatform, accountSync: { mode: "payer-role" } };
      }),
    );
    expect(payer.aws_organizations_resource_policy).toBeUndefined();
    expect(resource(payer, "aws_iam_role", "payer-read/role").name).toBe("finops-payer-read");
  });
});
