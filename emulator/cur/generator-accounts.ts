/**
 * The sample organization's accounts for the CUR 2.0 generator (generator.ts): who has usage, and
 * in which regions. The generator reads only the few config fields below (CurAccountsSource), so the
 * emulator needs nothing of config/: an AccountConfig satisfies the type as it is.
 */

export interface CurAccount {
  readonly id: string;
  readonly name: string;
  /** Regions with usage; the first carries most of it. */
  readonly regions: readonly string[];
}

interface AccountRef {
  readonly id: string;
  readonly name: string;
}

/** What curAccountsFromConfig reads of an account config (config/schema.ts's AccountConfig has all of it). */
export interface CurAccountsSource {
  readonly organization: { readonly homeRegion: string };
  readonly cur: { readonly homeRegion: string };
  /** Regions of the payer stack. @default [cur.homeRegion] */
  readonly payer: AccountRef & { readonly regions?: readonly string[] };
  /** @default regions [organization.homeRegion] */
  readonly admin: AccountRef & { readonly regions?: readonly string[] };
  readonly members: readonly (AccountRef & {
    readonly regions: readonly string[];
    readonly retired?: boolean;
  })[];
}

/** Payer, admin and every non-retired member, with their regions. */
export function curAccountsFromConfig(config: CurAccountsSource): CurAccount[] {
  const home = config.organization.homeRegion;
  return [
    {
      id: config.payer.id,
      name: config.payer.name,
      regions: config.payer.regions ?? [config.cur.homeRegion],
    },
    { id: config.admin.id, name: config.admin.name, regions: config.admin.regions ?? [home] },
    ...config.members.filter((m) => !m.retired).map((m) => ({ id: m.id, name: m.name, regions: m.regions })),
  ];
}
