import { list } from "./policy";

/** The synthesized Terraform JSON of one stack (the parts the rules read). */
export interface SynthesizedStack {
  readonly provider?: Record<string, Array<Record<string, unknown>> | Record<string, unknown>>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
}

/** One resource of a stack, addressed the way Terraform and the construct tree name it. */
export interface ResourceView {
  readonly type: string;
  readonly name: string;
  /** Terraform address: `aws_s3_bucket.cur-replica-bucket_81D9C953`. */
  readonly address: string;
  /** Construct path: `admin/cur-replica-bucket/bucket` (stable across hash changes). */
  readonly path: string;
  readonly body: Record<string, unknown>;
}

const REF = /^\$\{([a-z0-9_]+)\.([\w-]+)\.([\w.[\]"-]+)\}$/;

/** `${aws_s3_bucket.x.id}` → { type, name, attribute }. */
export function parseRef(value: unknown): { type: string; name: string; attribute: string } | undefined {
  if (typeof value !== "string") return undefined;
  const m = REF.exec(value.trim());
  return m ? { type: m[1]!, name: m[2]!, attribute: m[3]! } : undefined;
}

/** A nested block as a list of objects, whether Terraform JSON wrote it as an object or a list. */
export function blocks(value: unknown): Record<string, unknown>[] {
  return list(value as Record<string, unknown> | Record<string, unknown>[]).filter(
    (b) => b !== null && typeof b === "object",
  );
}

/** The first nested block, or an empty object. */
export function block(value: unknown): Record<string, unknown> {
  return blocks(value)[0] ?? {};
}

/** Read-only index over one synthesized stack. */
export class StackView {
  readonly resources: readonly ResourceView[];
  private readonly byAddress = new Map<string, ResourceView>();

  constructor(
    readonly stack: string,
    readonly json: SynthesizedStack,
  ) {
    const out: ResourceView[] = [];
    for (const [type, byName] of Object.entries(json.resource ?? {})) {
      for (const [name, body] of Object.entries(byName ?? {})) {
        const meta = (body["//"] as { metadata?: { path?: string } } | undefined)?.metadata;
        const view = { type, name, address: `${type}.${name}`, path: meta?.path ?? `${stack}/${name}`, body };
        out.push(view);
        this.byAddress.set(view.address, view);
      }
    }
    this.resources = out;
  }

  ofType(...types: string[]): ResourceView[] {
    return this.resources.filter((r) => types.includes(r.type));
  }

  get data(): SynthesizedStack["data"] {
    return this.json.data;
  }

  /** The resource a `${type.name.attr}` reference points at. */
  resolve(value: unknown): ResourceView | undefined {
    const ref = parseRef(value);
    return ref ? this.byAddress.get(`${ref.type}.${ref.name}`) : undefined;
  }

  /** The account the stack deploys to: its default provider's allowed_account_ids. */
  get accountId(): string | undefined {
    const aws = blocks(this.json.provider?.aws)[0];
    return list(aws?.allowed_account_ids as string[] | undefined)[0];
  }

  /** True when `body` mentions `target` by reference or, for a literal, by that literal value. */
  mentions(body: unknown, target: ResourceView, literal?: unknown): boolean {
    const text = JSON.stringify(body);
    if (text.includes(`${target.address}.`)) return true;
    return typeof literal === "string" && !literal.includes("${") && text.includes(literal);
  }
}
