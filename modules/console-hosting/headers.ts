/**
 * The hosted console's security headers: the values are contracts/console-headers.ts's, which the
 * local API front serves too. Here only the API's host is chosen.
 *
 * The API's origin is its own execute-api host, `https://<api-id>.execute-api.<region>.amazonaws.com`,
 * whose id only exists after apply; the API's CORS origins in turn name this distribution's domain.
 * Naming the exact API host here would make the distribution and the API depend on each other
 * (a Terraform cycle), so connect-src allows execute-api hosts of the API's region only
 * (docs/console-hosting.md, "Content-Security-Policy").
 */
import { consoleContentSecurityPolicy as policy } from "../../contracts/console-headers";

export {
  CROSS_ORIGIN_OPENER_POLICY,
  FRAME_OPTION,
  HSTS_MAX_AGE_SECONDS,
  PERMISSIONS_POLICY,
  REFERRER_POLICY,
} from "../../contracts/console-headers";

export function consoleContentSecurityPolicy(opts: {
  readonly cognitoOrigin: string;
  readonly apiRegion: string;
}): string {
  return policy({
    cognitoOrigin: opts.cognitoOrigin,
    apiSource: `https://*.execute-api.${opts.apiRegion}.amazonaws.com`,
  });
}
