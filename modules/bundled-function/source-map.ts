/**
 * Trims a bundle's source map to the repository's own code: the mappings of files under
 * node_modules/ (the AWS SDK, zod, the SQL parser: more than nine tenths of a map) are dropped, so
 * a stack trace maps every frame of functions/ and contracts/ to its TypeScript line and leaves a
 * dependency's frames at their position in index.js. Source map v3 format:
 * https://tc39.es/ecma426/ (mappings: per generated line, `,`-separated segments of 1, 4 or 5
 * Base64 VLQ fields; every field but the generated column is relative to the previous segment of
 * the whole map, the generated column to the previous segment of the line).
 */

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_VALUE = new Map([...B64].map((c, i) => [c, i]));

function decodeSegment(segment: string): number[] {
  const fields: number[] = [];
  let value = 0;
  let shift = 0;
  for (const c of segment) {
    const digit = B64_VALUE.get(c);
    if (digit === undefined) throw new Error(`source map: invalid Base64 VLQ character "${c}"`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return fields;
}

function encodeVlq(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = "";
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += B64[digit];
  } while (v > 0);
  return out;
}

interface SourceMapV3 {
  version: 3;
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
  [key: string]: unknown;
}

/**
 * The source map without the mappings, sources and names that only `drop(source)` files use;
 * every kept segment maps the same generated position to the same original one.
 */
export function trimSourceMap(map: Buffer, drop: (source: string) => boolean): Buffer {
  const parsed = JSON.parse(map.toString("utf8")) as SourceMapV3;
  if (parsed.version !== 3) throw new Error(`source map: version ${parsed.version}, expected 3`);
  const sourceIndex = new Map<number, number>();
  const nameIndex = new Map<number, number>();
  const sources: string[] = [];
  const sourcesContent: (string | null)[] = [];
  const names: string[] = [];
  // Absolute values of the previous input segment, and of the previous output segment.
  let [src, srcLine, srcCol, name] = [0, 0, 0, 0];
  let [outSrc, outLine, outCol, outName] = [0, 0, 0, 0];
  const lines = parsed.mappings.split(";").map((line) => {
    let genCol = 0;
    let outGenCol = 0;
    const kept: string[] = [];
    for (const segment of line ? line.split(",") : []) {
      const f = decodeSegment(segment);
      genCol += f[0]!;
      if (f.length < 4) continue; // a generated position mapped to no source: nothing to keep
      src += f[1]!;
      srcLine += f[2]!;
      srcCol += f[3]!;
      if (f.length >= 5) name += f[4]!;
      if (drop(parsed.sources[src]!)) continue;
      let s = sourceIndex.get(src);
      if (s === undefined) {
        s = sources.push(parsed.sources[src]!) - 1;
        sourcesContent.push(parsed.sourcesContent?.[src] ?? null);
        sourceIndex.set(src, s);
      }
      let encoded = encodeVlq(genCol - outGenCol) + encodeVlq(s - outSrc);
      encoded += encodeVlq(srcLine - outLine) + encodeVlq(srcCol - outCol);
      [outGenCol, outSrc, outLine, outCol] = [genCol, s, srcLine, srcCol];
      if (f.length >= 5) {
        let n = nameIndex.get(name);
        if (n === undefined) {
          n = names.push(parsed.names[name]!) - 1;
          nameIndex.set(name, n);
        }
        encoded += encodeVlq(n - outName);
        outName = n;
      }
      kept.push(encoded);
    }
    return kept.join(",");
  });
  const trimmed: SourceMapV3 = { ...parsed, sources, names, mappings: lines.join(";") };
  if (parsed.sourcesContent) trimmed.sourcesContent = sourcesContent;
  else delete trimmed.sourcesContent;
  return Buffer.from(JSON.stringify(trimmed));
}
