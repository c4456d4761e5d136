import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { Names } from "../config/naming";
import type { AccountConfig } from "../config/schema";
import type { Target } from "../config/target";
import { configureBackend, configureLocalBackend } from "../modules/backend";
import { createAwsProviders, type ProviderAccount } from "../modules/providers";

export interface AccountStackProps {
  readonly config: AccountConfig;
  readonly target: Target;
  /** The app's output directory (for the local backend's relative state path). */
  readonly outdir: string;
  readonly account: ProviderAccount;
  /**
   * Keep this stack's state in this local file (absolute) instead of the config's backend: only the
   * bootstrap stack's first apply, before the state bucket exists (docs/bootstrap.md).
   */
  readonly localStateFile?: string;
}

/**
 * A stack is one account: every region of it (one provider per region), its own backend, its own
 * state. Subclasses only compose modules.
 */
export abstract class AccountStack extends TerraformStack {
  readonly config: AccountConfig;
  readonly names: Names;
  readonly account: ProviderAccount;
  private readonly providers: Map<string, AwsProvider>;

  constructor(scope: Construct, stackName: string, props: AccountStackProps) {
    super(scope, stackName);
    this.config = props.config;
    this.account = props.account;
    this.names = new Names(props.config);
    this.providers = createAwsProviders(this, props.config, props.account, props.target);
    if (props.localStateFile) configureLocalBackend(this, stackName, props.outdir, props.localStateFile);
    else configureBackend(this, stackName, props.config, props.target, props.outdir);
  }

  get primaryRegion(): string {
    return this.account.regions[0]!;
  }

  /** The provider of one of the account's regions. */
  provider(region: string): AwsProvider {
    const p = this.providers.get(region);
    if (!p) {
      throw new Error(
        `stack ${this.node.id} has no provider for region ${region}; its regions are ${this.account.regions.join(", ")}`,
      );
    }
    return p;
  }

  /** Data stores carry prevent_destroy unless the organization opts out. */
  get protectDataStores(): boolean {
    return !this.config.organization.allowDataStoreDestroy;
  }
}
