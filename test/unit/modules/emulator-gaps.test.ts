import { readFileSync } from "node:fs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { Aspects, TerraformStack, Testing } from "cdktf";
import { EMULATOR_GAPS, EmulatorGapsAspect } from "../../../modules/emulator-gaps";

describe("the emulator gap list", () => {
  it("adds a gap's attributes to ignore_changes, keeping ones already there", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    new S3Bucket(stack, "b", { bucket: "x" });
    new S3BucketNotification(stack, "n", {
      bucket: "x",
      eventbridge: true,
      lifecycle: { ignoreChanges: ["queue"] },
    });
    Aspects.of(stack).add(new EmulatorGapsAspect());
    const json = JSON.parse(Testing.synth(stack));
    expect(json.resource.aws_s3_bucket_notification.n.lifecycle.ignore_changes).toEqual([
      "queue",
      "eventbridge",
    ]);
    expect(json.resource.aws_s3_bucket.b.lifecycle).toBeUndefined();
  });

  it("is documented row by row in docs/local-emulator-gaps.md", () => {
    // Table cells compared without their padding (the formatter aligns columns).
    const doc = readFileSync("docs/local-emulator-gaps.md", "utf8").replace(/ *\| */g, " | ");
    for (const gap of EMULATOR_GAPS) {
      const row = `| \`${gap.resourceType}\` | ${gap.attributes.map((a) => `\`${a}\``).join(", ")} | ${gap.reason} |`;
      expect(doc).toContain(row);
    }
  });

  it("gives a reason for every entry and names each resource type once", () => {
    const types = EMULATOR_GAPS.map((g) => g.resourceType);
    expect(new Set(types).size).toBe(types.length);
    for (const g of EMULATOR_GAPS) expect(g.reason.length).toBeGreaterThan(20);
  });
});
