import * as path from "node:path";
import { DEFAULT_MOTO_PORT, GAP_FILLED_SERVICES } from "../contracts/emulator";
import type { AccountConfig } from "./schema";

/**
 * Where the synthesized stacks deploy. `aws` is the real organization; `local` is the emulated
 * organization on a moto server on loopback. Only the provider factory and the backend read this:
 * nothing else in the code knows which target it is in.
 */
export type Target =
  | { readonly kind: "aws" }
  | {
      readonly kind: "local";
      /** Base URL of the emulator, e.g. http://127.0.0.1:4599. */
      readonly endpoint: string;
      /**
       * Services the emulator lacks that a named local gap-filler serves instead
       * (service key of the provider's endpoints block → base URL). @default {}
       */
      readonly serviceEndpoints: Readonly<Record<string, string>>;
      /** Directory of the local state files, absolute. */
      readonly stateDir: string;
    };

function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    throw new Error(`${name}="${raw}" is not a usable port; give a number from 1024 to 65535`);
  }
  return port;
}

export function motoPort(env: NodeJS.ProcessEnv = process.env): number {
  return portFrom(env, "FINOPS_MOTO_PORT", DEFAULT_MOTO_PORT);
}

/** Port of the local gap-filler in front of moto. @default FINOPS_MOTO_PORT + 1 */
export function gapFillerPort(env: NodeJS.ProcessEnv = process.env): number {
  return portFrom(env, "FINOPS_GAPS_PORT", motoPort(env) + 1);
}

/**
 * Port of the local API front (local/api-front.ts) that `npm run local` leaves running: the FinOps
 * API under /api and the finance console at /. @default FINOPS_MOTO_PORT + 2
 */
export function apiFrontPort(env: NodeJS.ProcessEnv = process.env): number {
  return portFrom(env, "FINOPS_FRONT_PORT", motoPort(env) + 2);
}

/** Default directory of everything the local target keeps on disk (state, emulator pid, logs). */
export function localDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.FINOPS_LOCAL_DIR || ".local");
}

/** The target a config asks for, with the local emulator's coordinates taken from the environment. */
export function targetFor(config: AccountConfig, env: NodeJS.ProcessEnv = process.env): Target {
  if (config.target === "aws") return { kind: "aws" };
  return {
    kind: "local",
    endpoint: `http://127.0.0.1:${motoPort(env)}`,
    serviceEndpoints: Object.fromEntries(
      GAP_FILLED_SERVICES.map((service) => [service, `http://127.0.0.1:${gapFillerPort(env)}`]),
    ),
    stateDir: path.join(localDir(env), "state"),
  };
}
