import { readFileSync } from "node:fs";
import { ConfigError, parseAccountConfig } from "../../../config/load";

/** accounts/local.yaml with its gitops section replaced. */
function withGitops(section: string) {
  const text = readFileSync("accounts/local.yaml", "utf8").replace(
    /\ngitops:[\s\S]*$/,
    `\ngitops:\n${section}\n`,
  );
  return parseAccountConfig(text, "local.yaml");
}

function errorsOf(section: string): string[] {
  try {
    withGitops(section);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => i.text);
    throw e;
  }
  throw new Error("the config was accepted");
}

describe("the gitops section (config/gitops.ts)", () => {
  it("fills in the protected environment, default branch and cost allocation tags", () => {
    expect(withGitops("  repository: acme/finops-landing").gitops).toEqual({
      repository: "acme/finops-landing",
      environment: "production",
      defaultBranch: "main",
      costAllocationTags: true,
    });
  });

  it("is optional: without it there is no bootstrap stack", () => {
    const text = readFileSync("accounts/local.yaml", "utf8").replace(/\ngitops:[\s\S]*$/, "\n");
    expect(parseAccountConfig(text, "local.yaml").gitops).toBeUndefined();
  });

  it("refuses a missing repository, naming the field and the form", () => {
    expect(errorsOf("  environment: production")).toEqual([
      expect.stringMatching(
        /^local\.yaml:\d+:\d+ gitops\.repository: is required; give the GitHub repository as "owner\/name"/,
      ),
    ]);
  });

  it.each([["https://github.com/acme/finops-landing"], ["acme/*"], ["acme"], ["acme/finops-landing.git"]])(
    "refuses the repository %s with the fix",
    (repo) => {
      expect(errorsOf(`  repository: "${repo}"`)).toEqual([
        expect.stringMatching(
          new RegExp(
            `gitops\\.repository: "${repo.replace(/[.*/]/g, "\\$&")}" (is not a GitHub repository|ends in \\.git)`,
          ),
        ),
      ]);
    },
  );

  it("refuses an environment or branch with wildcards, which would widen the roles' trust", () => {
    expect(errorsOf('  repository: acme/x\n  environment: "prod*"\n  defaultBranch: "release/*"')).toEqual([
      expect.stringContaining(
        'gitops.environment: "prod*" is not usable as the protected GitHub environment; use its exact name',
      ),
      expect.stringContaining(
        'gitops.defaultBranch: "release/*" is not a branch name the plan role can trust',
      ),
    ]);
  });

  it("refuses unknown keys (a typo does not silently drop a setting)", () => {
    expect(errorsOf("  repository: acme/x\n  enviroment: production")).toEqual([
      expect.stringContaining("gitops"),
    ]);
  });
});

describe("gitops with the state backend", () => {
  it("refuses stateBackend.roleArn with gitops: the bootstrap's bucket is reached by the pipeline roles directly", () => {
    const text = readFileSync("accounts/example.yaml", "utf8").replace(
      "    # roleArn: arn:aws:iam::000000000000:role/terraform-state # optional: role the backend assumes",
      "    roleArn: arn:aws:iam::000000000009:role/terraform-state",
    );
    let errors: string[] = [];
    try {
      parseAccountConfig(text, "example.yaml");
    } catch (e) {
      errors = (e as ConfigError).issues.map((i) => i.text);
    }
    expect(errors).toEqual([
      expect.stringMatching(
        /^example\.yaml:\d+:\d+ organization\.stateBackend\.roleArn: is set together with gitops: the bootstrap stack creates the state bucket/,
      ),
    ]);
  });
});
