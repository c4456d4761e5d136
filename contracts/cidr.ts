/** IPv4 CIDR arithmetic for the VPC config checks and the subnet split. No dependencies. */
export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  readonly base: number;
  readonly prefix: number;
  readonly text: string;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses "10.0.0.0/16"; returns a reason instead when it is not a valid network CIDR. */
export function parseCidr(text: string): Cidr | { error: string } {
  const m = CIDR.exec(text.trim());
  if (!m) return { error: `"${text}" is not an IPv4 CIDR; write it as a.b.c.d/n, e.g. "10.80.0.0/22"` };
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255)) return { error: `"${text}" has an octet above 255` };
  if (prefix > 32) return { error: `"${text}" has a prefix length above 32` };
  const ip = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (ip % size !== 0) {
    const base = ip - (ip % size);
    return { error: `"${text}" has host bits set; the network is ${formatIp(base)}/${prefix}` };
  }
  return { base: ip, prefix, text: `${formatIp(ip)}/${prefix}` };
}

export function isCidr(c: Cidr | { error: string }): c is Cidr {
  return !("error" in c);
}

export function formatIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

function end(c: Cidr): number {
  return c.base + 2 ** (32 - c.prefix) - 1;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base <= end(b) && b.base <= end(a);
}

const PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((t) => parseCidr(t) as Cidr);

/** True when the block lies inside an RFC 1918 private range. */
export function isPrivate(c: Cidr): boolean {
  return PRIVATE.some((p) => c.base >= p.base && end(c) <= end(p));
}

/** Splits a CIDR into 2^bits equal subnets. */
export function subnets(c: Cidr, bits: number): string[] {
  const prefix = c.prefix + bits;
  const size = 2 ** (32 - prefix);
  return Array.from({ length: 2 ** bits }, (_, i) => `${formatIp(c.base + i * size)}/${prefix}`);
}
