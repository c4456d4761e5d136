/**
 * Exact sums of decimal strings (money as DynamoDB stores it: a Number is a decimal string). Values
 * are scaled to integers of 10^-scale and added as BigInt, so a sum of many amounts is exact where
 * adding JavaScript doubles would drift. Accepts plain decimals ("12.5", "-0.000001") and the
 * exponent form JavaScript prints for tiny or huge doubles ("1e-7").
 */

const PLAIN = /^([+-])?(\d+)(?:\.(\d*))?$/;

/** A decimal string (or a finite number, through its shortest round-trip text) as a plain decimal. */
export function plainDecimal(value: string | number): string {
  const text = typeof value === "number" ? String(value) : value.trim();
  if (PLAIN.test(text)) return text;
  const m = /^([+-])?(\d+)(?:\.(\d*))?[eE]([+-]?\d+)$/.exec(text);
  if (!m) throw new Error(`${JSON.stringify(value)} is not a decimal number`);
  const digits = `${m[2]}${m[3] ?? ""}`;
  const point = m[2]!.length + Number(m[4]);
  const sign = m[1] === "-" ? "-" : "";
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** The value in units of 10^-scale, rounded half away from zero past the scale. */
export function toScaled(value: string | number, scale: number): bigint {
  const m = PLAIN.exec(plainDecimal(value))!;
  const negative = m[1] === "-";
  const fraction = m[3] ?? "";
  const kept = BigInt(`${m[2]}${fraction.slice(0, scale).padEnd(scale, "0")}`);
  const roundUp = fraction.length > scale && fraction[scale]! >= "5";
  const magnitude = roundUp ? kept + 1n : kept;
  return negative ? -magnitude : magnitude;
}

/** Units of 10^-scale as a decimal string with exactly `scale` decimals. */
export function fromScaled(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}

/** The exact sum, as a decimal string with `scale` decimals (default 6, the ingest's precision). */
export function sumDecimals(values: Iterable<string | number>, scale = 6): string {
  let total = 0n;
  for (const v of values) total += toScaled(v, scale);
  return fromScaled(total, scale);
}
