import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { GITHUB_OIDC } from "../../contracts/gitops";

/**
 * The GitHub Actions OIDC identity provider of the management account: what lets a workflow run
 * exchange its OIDC token for the plan or apply role (AssumeRoleWithWebIdentity), with no long-lived
 * key anywhere. Audience sts.amazonaws.com, as aws-actions/configure-aws-credentials requests it.
 * No thumbprint: IAM validates GitHub's certificate through its own trusted CAs
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc_verify-thumbprint.html).
 */
export class GithubOidcProvider extends Construct {
  readonly provider: IamOpenidConnectProvider;

  constructor(scope: Construct, id: string, props: { provider: TerraformProvider }) {
    super(scope, id);
    this.provider = new IamOpenidConnectProvider(this, "provider", {
      provider: props.provider,
      url: GITHUB_OIDC.url,
      clientIdList: [GITHUB_OIDC.audience],
    });
  }

  get arn(): string {
    return this.provider.arn;
  }
}
