import { renderMarkdown } from "../../../deploy/plan-markdown";
import { summarizePlans } from "../../../deploy/plan-summary";
import { loadPlan, memberStack, stackPlan } from "./fixtures";

describe("renderMarkdown", () => {
  const summary = summarizePlans([
    stackPlan("member-prod"),
    stackPlan("member-dev"),
    stackPlan("payer"),
    stackPlan("admin"),
  ]);
  const md = renderMarkdown(summary);

  it("opens with a warning that lists every data-store loss with stack, account and address", () => {
    const warning = md.slice(0, md.indexOf("| Stack |"));
    expect(warning).toContain("[!CAUTION]");
    expect(warning).toContain("3 data stores would be destroyed or replaced");
    expect(warning).toContain("`member-dev` · dev (333333333333): `aws_s3_bucket.cur_archive` — **destroy**");
    expect(warning).toContain("`member-dev` · dev (333333333333): `aws_dynamodb_table.spend` — **replace**");
    expect(warning).toContain("`payer` · payer (111111111111): `aws_kms_key.cur` — **replace**");
  });

  it("has one table row per changed stack with account, regions and counts", () => {
    expect(md).toContain(
      "| `admin` | cloudops (222222222222) | us-east-1, eu-west-1 | 1 | 1 | 1 | 1 | changes |",
    );
    expect(md).toContain("| `payer` | payer (111111111111) | us-east-1 | 0 | 0 | 1 | 0 | ⛔ destroys data |");
    expect(md).toContain(
      "| `member-dev` | dev (333333333333) | eu-west-1 | 1 | 1 | 1 | 1 | ⛔ destroys data |",
    );
    expect(md).not.toContain("| `member-prod` |");
  });

  it("collapses the unchanged stack into one line and mentions its drift", () => {
    expect(md).toContain("**No changes** in 1 stack: `member-prod`. Drift detected outside Terraform");
    expect(md).not.toContain("<code>member-prod</code>");
  });

  it("lists each changed stack's addresses and actions in a details section, data stores marked", () => {
    const details = md.slice(md.indexOf("<details><summary><code>member-dev</code>"));
    expect(details).toContain("- **destroy** `aws_s3_bucket.cur_archive` ⛔ data store");
    expect(details).toContain("- **update** `aws_cloudwatch_log_group.audit`\n");
    expect(details).toContain("- **create** `aws_iam_role.reader`");
    expect(md.match(/<details><summary><code>/g)).toHaveLength(3);
  });

  it("says no warning when nothing holds data", () => {
    expect(renderMarkdown(summarizePlans([stackPlan("admin")]))).not.toContain("CAUTION");
  });

  it("says the loss was allowed when the guard's opt-in is set", () => {
    expect(renderMarkdown(summary, { dataStoreDestroyAllowed: true })).toContain("Allowed explicitly");
  });

  it("stays readable at 100 stacks: 3 table rows and the 97 unchanged stacks in one collapsed list", () => {
    const inputs = [
      stackPlan("admin"),
      stackPlan("payer"),
      ...Array.from({ length: 97 }, (_, i) => ({ plan: loadPlan("recorded/noop"), stack: memberStack(i) })),
      stackPlan("member-dev"),
    ];
    const big = renderMarkdown(summarizePlans(inputs));
    expect(big).toContain("### Terraform plan: 3 of 100 stacks change");
    expect(big.match(/^\| `/gm)).toHaveLength(3);
    expect(big).toContain("<details><summary><b>No changes</b> in 97 stacks</summary>");
    expect(big.length).toBeLessThan(8000);
  });

  it("drops the details but keeps the warning and table when the comment would be too long", () => {
    const short = renderMarkdown(summary, { maxLength: 1500 });
    expect(short).toContain("[!CAUTION]");
    expect(short).toContain("| `member-dev` |");
    expect(short).not.toContain("<details><summary><code>");
    expect(short).toContain("Per-stack details left out");
  });

  it("caps the resources listed per stack and points to the JSON", () => {
    const capped = renderMarkdown(summary, { maxResourcesPerStack: 2 });
    expect(capped).toContain("- … and 3 more (see the JSON summary)");
  });
});
