import { parseCli, positiveInteger, UsageError } from "../../../scripts/cli-args";

const OPTIONS = {
  out: { type: "string" },
  stack: { type: "string", multiple: true, default: [] as string[] },
  guard: { type: "boolean", default: false },
} as const;

describe("parseCli (the scripts' command lines, through node:util parseArgs)", () => {
  it("reads values, repeated options, --name=value and flags", () => {
    const { values } = parseCli(["--out", "o", "--stack", "a", "--stack=b", "--guard"], OPTIONS, "see x");
    expect(values).toEqual({ out: "o", stack: ["a", "b"], guard: true });
  });

  it("keeps positionals only where the script allows them, also after --", () => {
    expect(parseCli(["--guard", "p.json", "--", "--odd.json"], OPTIONS, "see x", true).positionals).toEqual([
      "p.json",
      "--odd.json",
    ]);
    expect(() => parseCli(["p.json"], OPTIONS, "see x")).toThrow(
      new UsageError("unexpected argument p.json; see x"),
    );
  });

  it("names an unknown option and an option without its value", () => {
    expect(() => parseCli(["--frob"], OPTIONS, "see x")).toThrow(
      new UsageError("unknown option --frob; see x"),
    );
    expect(() => parseCli(["--out"], OPTIONS, "see x")).toThrow(new UsageError("--out needs a value; see x"));
    expect(() => parseCli(["--out", "--guard"], OPTIONS, "see x")).toThrow(
      new UsageError("--out needs a value; see x"),
    );
  });

  it("takes whole numbers of at least 1, with a default", () => {
    expect(positiveInteger("--concurrency", undefined, 4)).toBe(4);
    expect(positiveInteger("--concurrency", "8", 4)).toBe(8);
    for (const bad of ["0", "-1", "2.5", "x"])
      expect(() => positiveInteger("--concurrency", bad, 4)).toThrow(
        "--concurrency must be a whole number of at least 1",
      );
  });
});
