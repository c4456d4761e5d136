import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  type UserPoolClientType,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { loadAccountConfig } from "../../config/load";
import { Names } from "../../config/naming";
import { consoleContentSecurityPolicy, consoleSecurityHeaders } from "../../contracts/console-headers";
import {
  type CurGroundTruth,
  curAccountsFromConfig,
  generateCurMonth,
  uploadCurMonth,
  writeCurMonth,
} from "../../emulator/cur/generator";
import { DynamoRepository } from "../../functions/api/dynamo-repository";
import { DynamoCardStore } from "../../functions/spend-cards/dynamo-store";
import { runCards } from "../../functions/spend-cards/run";
import { type ApiFront, apiFrontOptionsFromEmulator, startApiFront } from "../../local/api-front";
import { createDemoUsers, DEMO_PASSWORD, demoUsername } from "../../local/demo-users";
import { runDataPipeline } from "../../local/pipeline";
import { signIn } from "../../local/sign-in";
import { consoleContentSecurityPolicy as hostedPolicy } from "../../modules/console-hosting/headers";
import { asAccount, deployLocal, emulatorEndpoint } from "../support/local-org";
import { emptyTables } from "../support/tables";

/**
 * The finance console (console/, docs/console.md) in a real browser: Debian's chromium driven by
 * playwright-core (no browser download), the console built with `npm run console:build` and served
 * by the local API front (local/api-front.ts) on the emulated admin account, after a sample month
 * (the CUR generator's, with its ground truth) is ingested by the data pipeline. Demo users sign in
 * through the emulated pool's API, as the console does locally.
 *
 * A BU manager's scope needs email and email_verified in the ID token: the web client lists exactly
 * those in ReadAttributes (modules/app/user-pool.ts), which both AWS and the emulator put into it
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html#CognitoUserPools-CreateUserPoolClient-request-ReadAttributes).
 *
 * The front serves the console with the hosted console's security headers (contracts/console-headers.ts,
 * the CloudFront response headers policy's values, its own origin standing for the Cognito and API
 * hosts), so every view runs under the hosted Content-Security-Policy; every page reports a
 * `securitypolicyviolation` event and Chromium's "Refused to …" console errors, and the last test
 * requires that none was reported.
 *
 * Screenshots of every view go to FINOPS_CONSOLE_SCREENSHOTS (docs/console to refresh the README's)
 * or to a temporary directory.
 */
const config = loadAccountConfig("accounts/local.yaml");
const names = new Names(config);
const region = config.organization.homeRegion;
const MONTH = "2026-11";
const YEAR = 2026;
const CHROMIUM = process.env.FINOPS_CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = process.env.FINOPS_CONSOLE_SCREENSHOTS
  ? path.resolve(process.env.FINOPS_CONSOLE_SCREENSHOTS)
  : mkdtempSync(path.join(os.tmpdir(), "finops-console-shots-"));
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const user = (group: string) => demoUsername(group);
const cents = (n: number) => Math.round(n * 100);
/** "$12,345.67" → 1234567 */
const centsOf = (text: string | null) => Math.round(Number((text ?? "").replace(/[$,\s]/g, "")) * 100);

/** Spend as the API sums it (usage lines: the CUR's unblended cost without Credit, Tax and Refund). */
function usageOf(truth: CurGroundTruth, accountId?: string): number {
  const pick = (m: Readonly<Record<string, number>>, total: number) =>
    accountId === undefined ? total : (m[accountId] ?? 0);
  return (
    pick(truth.byAccount, truth.total) -
    pick(truth.credits.byAccount, truth.credits.total) -
    pick(truth.tax.byAccount, truth.tax.total) -
    pick(truth.refunds.byAccount, truth.refunds.total)
  );
}

/**
 * Spend per usage day and service as the ingest sums it (functions/shared/cur-queries.ts): the
 * unblended cost of the CUR's lines other than Credit, Tax and Refund, by
 * `line_item_usage_start_date`'s day and the service code (`product_servicecode`, else
 * `line_item_product_code`), from the generator's rows: the same seed gives the same rows.
 */
function usageByDayService(
  rows: ReturnType<typeof generateCurMonth>["rows"],
): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const r of rows) {
    if (["Credit", "Tax", "Refund"].includes(r.line_item_line_item_type as string)) continue;
    const day = String(r.line_item_usage_start_date).slice(0, 10);
    const service = (r.product_servicecode as string) || (r.line_item_product_code as string);
    const of = out.get(day) ?? new Map<string, number>();
    of.set(service, (of.get(service) ?? 0) + (r.line_item_unblended_cost as number));
    out.set(day, of);
  }
  return out;
}

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });

describe("the finance console in a browser", () => {
  let front: ApiFront;
  let browser: Browser;
  let truth: CurGroundTruth;
  let byDayService: Map<string, Map<string, number>>;
  /** Content-Security-Policy violations any page reported (event or console error). */
  const violations: string[] = [];
  let cognito: CognitoIdentityProviderClient;
  let webClient: UserPoolClientType;
  const contexts: BrowserContext[] = [];
  const BU_ACCOUNTS = ["333333333333", "444444444444"];

  beforeAll(async () => {
    // The admin stack (user pool, tables, approval state machine): applied by earlier files of the
    // suite; applied here when this file runs alone.
    let options = await apiFrontOptionsFromEmulator(config, emulatorEndpoint()).catch(() => undefined);
    if (!options) {
      const { outcomes } = await deployLocal(config, ["admin"]);
      if (outcomes[0]?.error) throw new Error(`the admin stack did not apply: ${outcomes[0].error}`);
      options = await apiFrontOptionsFromEmulator(config, emulatorEndpoint());
    }
    execFileSync("npm", ["run", "-s", "console:build"], { stdio: "pipe" });

    const admin = await asAccount(config.admin.id, region);
    cognito = new CognitoIdentityProviderClient(admin);
    await createDemoUsers(config, emulatorEndpoint());
    webClient = (
      await cognito.send(
        new DescribeUserPoolClientCommand({ UserPoolId: options.userPoolId, ClientId: options.webClientId }),
      )
    ).UserPoolClient!;
    // As deployed, not patched here: the web client reads what the API scopes users by.
    expect([...(webClient.ReadAttributes ?? [])].sort()).toEqual(["email", "email_verified"]);

    // The sample month, delivered to the replica bucket and ingested by the pipeline.
    const ddb = DynamoDBDocumentClient.from(new DynamoDBClient(admin), {
      marshallOptions: { removeUndefinedValues: true },
    });
    await emptyTables(ddb, Object.values(options.tables));
    const curMonth = {
      billingPeriod: MONTH,
      payer: { id: config.payer.id, name: config.payer.name },
      accounts: curAccountsFromConfig(config),
      seed: 17,
      exportName: config.cur.exportName,
      s3Prefix: config.cur.s3Prefix,
    };
    const month = await writeCurMonth({
      ...curMonth,
      bucket: names.curBucket,
      outDir: mkdtempSync(path.join(os.tmpdir(), "finops-console-cur-")),
    });
    truth = month.groundTruth;
    const generated = generateCurMonth(curMonth);
    expect(generated.groundTruth).toEqual(truth);
    byDayService = usageByDayService(generated.rows);
    const s3 = new S3Client(admin);
    await uploadCurMonth(s3, names.curReplicaBucket, month);
    s3.destroy();
    const piped = await runDataPipeline({ config, motoEndpoint: emulatorEndpoint(), billingPeriod: MONTH });
    expect(piped.ingests.map((i) => i.billingPeriod)).toContain(MONTH);

    // Budgets and the mapping of accounts since the start of the year (what finance would have done).
    const repo = new DynamoRepository(ddb, options.tables);
    const budget = (budgetId: string, name: string, owner: string, amountUsd: number) =>
      repo.createBudget({
        budgetId,
        year: YEAR,
        name,
        amountUsd,
        owner,
        managers: [],
        scope: { level: "businessUnit", name },
        version: 1,
        updatedAt: `${YEAR}-01-01T00:00:00.000Z`,
        updatedBy: "seed",
      });
    await budget("platform", "Platform", user("BUManagers"), 200_000);
    await budget("shared", "Shared services", user("FinancialAdmins"), 60_000);
    for (const [accountId, budgetId] of [
      ["333333333333", "platform"],
      ["444444444444", "platform"],
      ["111111111111", "shared"],
      ["222222222222", "shared"],
    ])
      await repo.recordAllocation({
        accountId: accountId!,
        budgetId,
        validFrom: `${YEAR}-01-01T00:00:00.000Z`,
        changedBy: "seed",
      });
    await runCards(
      new DynamoCardStore(ddb, options.tables),
      { kind: "weekly" },
      "2026-11-30",
      () => new Date(),
    );
    ddb.destroy();

    front = await startApiFront({ ...options, staticDir: path.resolve("console/dist") });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    mkdirSync(SHOTS, { recursive: true });
  }, 1_800_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await front?.close();
    cognito?.destroy();
  });

  /**
   * A browser context whose pages report every Content-Security-Policy violation: the
   * `securitypolicyviolation` event (https://www.w3.org/TR/CSP3/#violation-events), logged by an
   * init script Playwright runs outside the page's CSP, and Chromium's own "Refused to …" errors.
   */
  async function newContext(options: Parameters<Browser["newContext"]>[0]): Promise<BrowserContext> {
    const context = await browser.newContext(options);
    contexts.push(context);
    await context.addInitScript(
      `document.addEventListener("securitypolicyviolation", (e) => console.error("securitypolicyviolation: " + e.violatedDirective + " blocked " + e.blockedURI + " at " + e.sourceFile + ":" + e.lineNumber));`,
    );
    context.on("console", (m) => {
      const text = m.text();
      if (/securitypolicyviolation|Content Security Policy/i.test(text))
        violations.push(`${m.page()?.url()}: ${text}`);
    });
    return context;
  }

  const pages = new Map<string, Page>();
  /** One page per demo user, signed in once and reused. */
  async function pageOf(group: string, width = 1280): Promise<Page> {
    const known = pages.get(group);
    if (known) return known;
    const context = await newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    await signInAs(page, group);
    pages.set(group, page);
    return page;
  }

  async function signInAs(page: Page, group: string) {
    await page.goto(front.url);
    await page.getByLabel("Email").fill(user(group));
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("me").waitFor();
  }

  async function open(page: Page, view: string) {
    await page
      .getByRole("navigation", { name: "Views" })
      .getByRole("link", { name: view, exact: true })
      .click();
    await page.getByRole("heading", { level: 2, name: new RegExp(`^${view}`) }).waitFor();
  }

  /** axe-core on the page: no serious or critical violation (the ids and nodes when there is one). */
  async function expectAccessible(page: Page) {
    // Page-side code as strings: it runs in the browser, whose globals (window, axe) the Node program does not type.
    // Evaluated, not added as a <script>: the console's CSP (script-src 'self') refuses inline scripts.
    if (!(await page.evaluate<boolean>('"axe" in window'))) await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate<
      string[]
    >(`axe.run(document, { resultTypes: ["violations"] }).then((r) =>
      r.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", ")))`);
    expect(violations).toEqual([]);
  }

  /** "done" when `success` shows, else the text of the alert that shows instead. */
  const outcome = (page: Page, success: ReturnType<Page["getByText"]>) =>
    Promise.race([
      success.waitFor().then(() => "done"),
      page
        .getByRole("alert")
        .first()
        .waitFor()
        .then(() => page.getByRole("alert").first().textContent()),
    ]);

  it("signs in each demo user, shows their groups and the data's freshness, and signs out", async () => {
    const context = await newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    for (const group of [
      "Admins",
      "FinancialAdmins",
      "BUManagers",
      "DepartmentManagers",
      "PortfolioManagers",
      "ProductManagers",
    ]) {
      await signInAs(page, group);
      await expect(page.getByTestId("me").textContent()).resolves.toContain(group);
      await page
        .getByTestId("freshness")
        .filter({ hasText: new RegExp(`^CUR ${MONTH} \\(.+\\), ingested .+ UTC$`) })
        .waitFor();
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByText("You are signed out.").waitFor();
    }
    // A wrong password is refused with the pool's message, on the sign-in form.
    await page.getByLabel("Email").fill(user("Admins"));
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(/^Sign-in failed: /);
  });

  it("shows the organization's month total, its accounts and the unallocated spend equal to the ground truth to the cent", async () => {
    const page = await pageOf("FinancialAdmins");
    await page.getByTestId("total-month").waitFor();
    expect(centsOf(await page.getByTestId("total-month").textContent())).toBe(cents(usageOf(truth)));
    const rows = await page.getByTestId("top-accounts").locator("tbody tr").allTextContents();
    const accounts = Object.keys(truth.byAccount);
    expect(rows).toHaveLength(accounts.length);
    for (const accountId of accounts) {
      const row = rows.find((r) => r.startsWith(accountId))!;
      expect(centsOf(row.slice(row.lastIndexOf("$")))).toBe(cents(usageOf(truth, accountId)));
    }
    // 555555555555 is in no budget: its spend is the unallocated figure.
    expect(centsOf(await page.getByTestId("total-unallocated").textContent())).toBe(
      cents(usageOf(truth, "555555555555")),
    );
    await page.getByTestId("chart").locator("canvas").waitFor();
    // The chart's figures, read from the table it offers as its text alternative (the same series):
    // each day's stack adds up to the day's ingested spend to the cent, and each service's part is
    // that service's spend that day within a cent (the API allocates a day's cents by largest remainder).
    const daily = page.getByTestId("daily-by-service");
    const headers = await daily.locator("thead th").allTextContents();
    expect([headers[0], headers.at(-1)]).toEqual(["Day", "Total (USD)"]);
    const services = headers.slice(1, -1);
    expect([...services].sort()).toEqual(
      [...new Set([...byDayService.values()].flatMap((m) => [...m.keys()]))].sort(),
    );
    const dayRows = await Promise.all(
      (await daily.locator("tbody tr").all()).map((tr) => tr.locator("td").allTextContents()),
    );
    expect(dayRows.map((r) => r[0])).toEqual([...byDayService.keys()].sort());
    for (const [day, ...cells] of dayRows) {
      const truthOfDay = byDayService.get(day!)!;
      const parts = cells.slice(0, -1).map(centsOf);
      const dayTotal = centsOf(cells.at(-1)!);
      expect({ day, total: dayTotal, stack: parts.reduce((a, b) => a + b, 0) }).toEqual({
        day,
        total: cents([...truthOfDay.values()].reduce((a, b) => a + b, 0)),
        stack: dayTotal,
      });
      services.forEach((service, i) => {
        expect(Math.abs(parts[i]! - cents(truthOfDay.get(service) ?? 0))).toBeLessThanOrEqual(1);
      });
    }
    // The table's CSV export: the same columns and amounts, to the cent.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV of Top accounts" }).click(),
    ]);
    const csv = readFileSync((await download.path())!, "utf8").split("\r\n");
    expect(download.suggestedFilename()).toBe(`accounts-${MONTH}.csv`);
    expect(csv[0]).toBe("Account,Name,Spend (USD)");
    expect(csv).toHaveLength(accounts.length + 1);
    for (const line of csv.slice(1)) {
      const [accountId, , amount] = line.split(",");
      expect(cents(Number(amount))).toBe(cents(usageOf(truth, accountId!)));
    }
  });

  it("filters the Overview by environment (with the keyboard), OU and owner, its totals equal to the ground truth filtered the same way", async () => {
    const page = await pageOf("FinancialAdmins");
    await open(page, "Overview");
    const total = page.getByTestId("total-month");
    const showsTotal = (accountIds: string[]) =>
      total
        .filter({ hasText: usd.format(cents(accountIds.reduce((a, id) => a + usageOf(truth, id), 0)) / 100) })
        .waitFor();
    const topAccounts = () =>
      page.getByTestId("top-accounts").locator("tbody tr td:first-child").allTextContents();
    // accounts/local.yaml: app-dev 333333333333 is dev, app-prod 444444444444 prod (both in OU
    // Workloads, budget platform, owned by the BU manager), sandbox-data 555555555555 sandbox.
    // A <select> inside its <label>: the accessible name is the label's text and then the options'.
    const environment = page.getByRole("combobox", { name: /^Environment/ });
    await environment.focus();
    await page.keyboard.press("ArrowDown"); // "All environments" → "dev" (the options are sorted)
    await expect(environment.inputValue()).resolves.toBe("dev");
    await showsTotal(["333333333333"]);
    await expect(topAccounts()).resolves.toEqual(["333333333333"]);
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByRole("combobox", { name: /^OU/ }).selectOption("Sandbox");
    await showsTotal(["555555555555"]);
    await expect(topAccounts()).resolves.toEqual(["555555555555"]);
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByRole("combobox", { name: /^Owner/ }).selectOption(user("BUManagers").toLowerCase());
    await showsTotal(["333333333333", "444444444444"]);
    await expect(topAccounts().then((a) => a.sort())).resolves.toEqual(["333333333333", "444444444444"]);
    await page.getByRole("button", { name: "Clear filters" }).click();
    await showsTotal(Object.keys(truth.byAccount));
  });

  it("shows a BU manager only their budget's accounts, budget and spend, and no approvals or users", async () => {
    const page = await pageOf("BUManagers");
    await page.getByTestId("total-month").waitFor();
    expect(centsOf(await page.getByTestId("total-month").textContent())).toBe(
      cents(BU_ACCOUNTS.reduce((a, id) => a + usageOf(truth, id), 0)),
    );
    const nav = page.getByRole("navigation", { name: "Views" });
    expect(await nav.getByRole("link").allTextContents()).toEqual([
      "Overview",
      "Accounts",
      "Budgets",
      "Spend cards",
    ]);
    await open(page, "Accounts");
    await page.getByTestId("accounts").waitFor();
    const accounts = await page.getByTestId("accounts").locator("tbody tr td:first-child").allTextContents();
    expect(accounts.sort()).toEqual(BU_ACCOUNTS);
    await expect(page.getByTestId("unallocated-queue").count()).resolves.toBe(0);
    await open(page, "Budgets");
    await page.getByTestId("budgets").waitFor();
    const budgets = await page.getByTestId("budgets").locator("tbody tr td:first-child").allTextContents();
    expect(budgets).toEqual(["platform"]);
    // The budget's actual for the month: its accounts' spend, to the cent.
    const actual = page.getByTestId("budgets").locator("tbody tr td").nth(6);
    await actual.filter({ hasText: "$" }).waitFor();
    expect(centsOf(await actual.textContent())).toBe(
      cents(BU_ACCOUNTS.reduce((a, id) => a + usageOf(truth, id), 0)),
    );
    // Deciding is finance's: no inbox.
    await expect(page.getByRole("link", { name: "Approvals" }).count()).resolves.toBe(0);
  });

  it("maps an unallocated account from the queue, after which it shows as allocated", async () => {
    const page = await pageOf("FinancialAdmins");
    await open(page, "Accounts");
    const form = page.getByRole("form", { name: "Map account 555555555555" });
    await form.getByLabel("Budget").selectOption("shared");
    await form.getByLabel("Reason").fill("data sandbox belongs to shared services");
    await form.getByRole("button", { name: "Map" }).click();
    await form.waitFor({ state: "detached" });
    const row = page.getByTestId("accounts").locator("tr", { hasText: "555555555555" });
    await expect(row.locator("td").allTextContents()).resolves.toEqual([
      "555555555555",
      "sandbox-data",
      expect.any(String),
      "allocated",
      "shared",
    ]);
  });

  it("keeps the user's values and names the field when a budget change is invalid", async () => {
    const page = await pageOf("Admins");
    await open(page, "Budgets");
    await page.getByLabel("New annual amount (USD)").fill("150000.555");
    await page.getByLabel("Reason").fill("growth");
    await page.getByRole("button", { name: "Request change" }).click();
    await expect(page.locator("#change-amountUsd-error").textContent()).resolves.toBe(
      "New annual amount: must have at most 2 decimals",
    );
    await expect(page.getByLabel("New annual amount (USD)").inputValue()).resolves.toBe("150000.555");
    await expect(page.getByLabel("Reason").inputValue()).resolves.toBe("growth");
    await expect(page.getByLabel("New annual amount (USD)").getAttribute("aria-invalid")).resolves.toBe(
      "true",
    );
  });

  it("lets a BU manager request a budget change that a FinancialAdmin approves in the inbox, after which the new budget shows; the BU manager may not decide", async () => {
    const bu = await pageOf("BUManagers");
    await open(bu, "Budgets");
    await bu.getByLabel("Budget", { exact: true }).selectOption("platform/2026");
    await bu.getByLabel("New annual amount (USD)").fill("250000");
    await bu.getByLabel("Reason").fill("second product line in 2026");
    await bu.getByRole("button", { name: "Request change" }).click();
    await expect(outcome(bu, bu.getByText(/Change of platform sent for approval/))).resolves.toBe("done");

    const fin = await pageOf("FinancialAdmins");
    let decided = false;
    for (let attempt = 0; attempt < 20 && !decided; attempt++) {
      await open(fin, "Approvals");
      const item = fin.getByTestId("pending-changes").locator("li", { hasText: "platform 2026" });
      await item.getByLabel("Comment").fill("approved for the second product line");
      await item.getByRole("button", { name: "Approve" }).click();
      // The workflow may not have reached its approval step yet (409 "retry in a few seconds").
      const outcome = await Promise.race([
        fin
          .getByTestId("changes-history")
          .locator("tr", { hasText: "platform 2026" })
          .waitFor()
          .then(() => "done"),
        item
          .getByRole("alert")
          .waitFor()
          .then(() => "retry"),
      ]);
      decided = outcome === "done";
      if (!decided) await open(fin, "Spend cards");
    }
    expect(decided).toBe(true);
    await expect(
      fin
        .getByTestId("changes-history")
        .locator("tr", { hasText: "platform 2026" })
        .locator("td")
        .allTextContents(),
    ).resolves.toEqual([
      "platform 2026",
      "$200,000.00 → $250,000.00",
      "approved",
      user("BUManagers"),
      user("FinancialAdmins"),
      "approved for the second product line",
    ]);
    // The workflow applies the approved change: the budget shows its new amount, to its manager too.
    let amount = "";
    for (let attempt = 0; attempt < 20 && amount !== "$250,000.00"; attempt++) {
      await open(bu, "Spend cards");
      await open(bu, "Budgets");
      const cell = bu.getByTestId("budgets").locator("tr", { hasText: "platform" }).locator("td").nth(4);
      await cell.waitFor();
      amount = (await cell.textContent()) ?? "";
    }
    expect(amount).toBe("$250,000.00");

    // A BU manager is not offered the inbox, and the API refuses their decision.
    await expect(bu.getByRole("link", { name: "Approvals" }).count()).resolves.toBe(0);
    const tokens = await signIn({
      motoEndpoint: emulatorEndpoint(),
      region,
      clientId: webClient.ClientId!,
      username: user("BUManagers"),
      password: DEMO_PASSWORD,
    });
    const res = await fetch(`${front.url}/api/approvals/00000000-0000-0000-0000-000000000000/decision`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.idToken}`, "content-type": "application/json" },
      body: JSON.stringify({ decision: "approve" }),
    });
    expect(res.status).toBe(403);
  });

  it("every view passes axe-core (no serious or critical violation), at 1280 px and 390 px, with a screenshot of each", async () => {
    const page = await pageOf("Admins");
    for (const view of ["Overview", "Accounts", "Budgets", "Approvals", "Spend cards", "Users"]) {
      await open(page, view);
      await page.locator("main table, main .kpis").first().waitFor();
      if (view === "Overview") await page.getByTestId("chart").locator("canvas").waitFor();
      await expectAccessible(page);
      await page.screenshot({
        path: path.join(SHOTS, `${view.toLowerCase().replace(" ", "-")}.png`),
        fullPage: true,
      });
    }
    await page.setViewportSize({ width: 390, height: 844 });
    for (const view of ["Overview", "Budgets"]) {
      await open(page, view);
      await page.locator("main table:visible").first().waitFor();
      await expectAccessible(page);
      // Nothing wider than the screen but the tables' own scroll regions.
      const overflow = await page.evaluate<number>(
        "document.documentElement.scrollWidth - window.innerWidth",
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(SHOTS, `${view.toLowerCase()}-390.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are signed out.").waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: path.join(SHOTS, "sign-in.png") });
    pages.delete("Admins");
  });

  it("lets an Admin invite a user into a group, who then shows with it; a FinancialAdmin is offered no Users view", async () => {
    const page = await pageOf("Admins");
    await open(page, "Users");
    const form = page.getByRole("form", { name: "Invite a user" });
    // The API's schema first: no group ticked is refused in the form, naming the field.
    await form.getByLabel("Email").fill("invited@example.com");
    await form.getByRole("button", { name: "Invite" }).click();
    await expect(form.locator("#invite-groups-error").textContent()).resolves.toMatch(
      /^Groups: must name at least one group/,
    );
    await form.getByLabel("BUManagers").check();
    await form.getByRole("button", { name: "Invite" }).click();
    await expect(outcome(page, page.getByText("Invited invited@example.com (BUManagers)"))).resolves.toBe(
      "done",
    );
    // The list is read again after the invite. Once, in a full CI run under load, it showed the new
    // user without its group (not reproduced since; a retried AdminCreateUser whose first answer was
    // lost is one suspect): the view is reopened a few times at most, and some row of the invited
    // email must carry the group.
    let groups: (string | null)[] = [];
    for (let attempt = 0; attempt < 5 && !groups.includes("BUManagers"); attempt++) {
      if (attempt > 0) {
        await open(page, "Overview");
        await open(page, "Users");
      }
      const rows = page.getByTestId("users").locator("tr", { hasText: "invited@example.com" });
      await rows.first().waitFor();
      groups = await Promise.all((await rows.all()).map((r) => r.locator("td").nth(3).textContent()));
    }
    expect(groups).toContain("BUManagers");
    const nav = (await pageOf("FinancialAdmins")).getByRole("navigation", { name: "Views" });
    expect(await nav.getByRole("link").allTextContents()).not.toContain("Users");
  });

  it("works with the keyboard: sign in, move between views, and a spend card approved", async () => {
    const context = await newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(front.url);
    const focused = () =>
      page.evaluate<string>("document.activeElement?.textContent?.trim() || document.activeElement?.id");
    const tabTo = async (what: string) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press("Tab");
        if ((await focused()) === what) return;
      }
      throw new Error(`Tab never reached ${what}`);
    };
    await tabTo("email");
    await page.keyboard.type(user("FinancialAdmins"));
    await page.keyboard.press("Tab");
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press("Enter");
    await page.getByTestId("me").waitFor();
    await tabTo("Spend cards");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 2, name: "Spend cards" }).waitFor();
    const approve = page
      .getByTestId("cards")
      .getByRole("button", { name: /^Approve card platform/ })
      .first();
    const label = (await approve.textContent())!;
    await tabTo(label);
    await page.keyboard.press("Enter");
    await page
      .getByTestId("cards")
      .getByText(`approved by ${user("FinancialAdmins")}`)
      .first()
      .waitFor();
  });

  it("returns to sign-in when the session expires and cannot be renewed", async () => {
    const context = await newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    // The page's clock, so an hour passes without waiting for it (timers fire as time is advanced).
    await page.clock.install();
    await signInAs(page, "DepartmentManagers");
    // The refresh token is revoked (as a sign-out elsewhere or an admin would), then the ID token's hour passes.
    await cognito.send(
      new AdminUserGlobalSignOutCommand({
        UserPoolId: webClient.UserPoolId,
        Username: user("DepartmentManagers"),
      }),
    );
    await page.clock.fastForward("01:00:00");
    await page.getByText("Your session has expired. Sign in again.").waitFor();
    await page.getByLabel("Email").waitFor();
  });

  it("serves the console with the hosted console's security headers, its own origin for the Cognito and API hosts", async () => {
    const res = await fetch(`${front.url}/overview`);
    const origin = new URL(front.url).origin;
    const served = Object.fromEntries(
      Object.keys(consoleSecurityHeaders({ cognitoOrigin: origin, apiSource: origin })).map((h) => [
        h,
        res.headers.get(h),
      ]),
    );
    expect(served).toEqual(consoleSecurityHeaders({ cognitoOrigin: origin, apiSource: origin }));
    // The hosted policy (modules/console-hosting), with the hosts it names replaced by this origin.
    const cognito = "https://finops-example.auth.us-east-1.amazoncognito.com";
    expect(res.headers.get("content-security-policy")).toBe(
      hostedPolicy({ cognitoOrigin: cognito, apiRegion: "us-east-1" })
        .replaceAll(cognito, origin)
        .replaceAll("https://*.execute-api.us-east-1.amazonaws.com", origin),
    );
    expect(res.headers.get("content-security-policy")).toBe(
      consoleContentSecurityPolicy({ cognitoOrigin: origin, apiSource: origin }),
    );
  });

  it("reported no Content-Security-Policy violation on any page of the tests above", () => {
    // Every view was opened under the policy (the axe-core test visits them all), signed in and out.
    expect(violations).toEqual([]);
  });
});
