/** Entry of the detached gap-filler process: tsx emulator/gap-filler/main.ts <port> <motoEndpoint> */
import { GAP_HANDLERS } from "./handlers";
import { startGapFiller } from "./server";

const [port, moto] = process.argv.slice(2);
if (!port || !moto) {
  console.error("usage: tsx emulator/gap-filler/main.ts <port> <motoEndpoint>");
  process.exit(2);
}
startGapFiller(Number(port), moto, GAP_HANDLERS, (l) => console.log(`${new Date().toISOString()} ${l}`)).then(
  () =>
    console.log(
      `gap-filler on 127.0.0.1:${port} in front of ${moto}; handlers: ${GAP_HANDLERS.map((h) => h.name).join(", ") || "none"}`,
    ),
  (e) => {
    console.error(`gap-filler could not start: ${(e as Error).message}`);
    process.exit(1);
  },
);
