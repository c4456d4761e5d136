/**
 * Integration test files share one emulated organization, so they run in one fixed order (the same
 * on every machine, whatever Jest's timing cache says): the end-to-end landing first (every stack
 * from a fresh emulator), then the cdktf CLI's file while the organization is still exactly
 * accounts/local.yaml (its diffs must show no changes, so nothing needs re-applying first), then
 * day-two's, which reuses that landing as it is (it adds an account and undoes its drift), then
 * each area's file, which applies its own config variant on top.
 * Unit files keep Jest's default order.
 */
const Sequencer = require("@jest/test-sequencer").default;

const ORDER = [
  "landing",
  "cdktf-cli",
  "day-two",
  "payer",
  "data-platform",
  "api",
  "console",
  "monitoring",
  "rollout",
  "vpc",
];
const rank = (p) => {
  const m = /integration[\\/]([\w-]+)\.test\.ts$/.exec(p);
  if (!m) return -1;
  const i = ORDER.indexOf(m[1]);
  return i === -1 ? ORDER.length : i;
};

class FixedOrderSequencer extends Sequencer {
  sort(tests) {
    const integration = tests.filter((t) => rank(t.path) >= 0);
    if (integration.length === 0) return super.sort(tests);
    const unit = tests.filter((t) => rank(t.path) < 0);
    return [
      ...super.sort(unit),
      ...integration.sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path)),
    ];
  }
}

module.exports = FixedOrderSequencer;
