/**
 * Zod without its JIT, before any schema parses: to choose between its compiled and interpreted
 * object parsers, zod probes `Function("")` once, which the console's Content-Security-Policy
 * (script-src 'self', no 'unsafe-eval': contracts/console-headers.ts) refuses and the browser
 * reports as a violation. `jitless` skips the probe; parsing is the same, only not compiled.
 * Imported first by main.tsx.
 */
import * as z from "zod";

z.config({ jitless: true });
