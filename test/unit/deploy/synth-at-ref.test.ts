import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthAtRef } from "../../../deploy/synth-at-ref";

describe("synthAtRef with a config outside the repository", () => {
  it("refuses it by default: the ref's config is unknown, so npm run plan --changed-only plans every stack", () => {
    const dir = mkdtempSync(join(tmpdir(), "synth-at-ref-"));
    try {
      const file = join(dir, "org.yaml");
      writeFileSync(file, "organization: {}\n");
      const r = synthAtRef("HEAD", file, join(dir, "out"), process.env);
      expect(r).toEqual({ ok: false, reason: expect.stringMatching(/org\.yaml does not exist at HEAD$/) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
