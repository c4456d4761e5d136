"""Starts moto's server for the local organization, with named patches (see each below).

Patch (emulation, not AWS behaviour): moto's Organizations CreateAccount gives every new account a
random id, and moto has no InviteAccountToOrganization/AcceptHandshake to bring in an account whose
id is already known. The local organization's accounts have fixed ids in accounts/local.yaml, so an
account created with the tag `finops-local:account-id=<12 digits>` gets exactly that id (and its
OrganizationAccountAccessRole is created in that account, as AWS does). Second patch: moto
accepts only six service principals for RegisterDelegatedAdministrator; AWS also accepts
CloudFormation StackSets (`member.org.stacksets.cloudformation.amazonaws.com`), which the landing
registers its delegated admin for, so the launcher adds it. Everything else is moto as shipped.

Usage: python3 launcher.py <port>
"""

import os
import re
import sys

os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from moto.organizations import models as org_models  # noqa: E402
from moto.server import main  # noqa: E402

PIN_TAG = "finops-local:account-id"
_original_init = org_models.FakeAccount.__init__


def _pinned_init(self, organization, **kwargs):
    pinned = next(
        (t.get("Value", "") for t in kwargs.get("Tags") or [] if t.get("Key") == PIN_TAG),
        None,
    )
    if pinned is None or not re.fullmatch(r"\d{12}", pinned):
        return _original_init(self, organization, **kwargs)
    random_id = org_models.utils.make_random_account_id
    org_models.utils.make_random_account_id = lambda: pinned
    try:
        return _original_init(self, organization, **kwargs)
    finally:
        org_models.utils.make_random_account_id = random_id


org_models.FakeAccount.__init__ = _pinned_init

STACKSETS_PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com"
if STACKSETS_PRINCIPAL not in org_models.FakeDelegatedAdministrator.SUPPORTED_SERVICES:
    org_models.FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(STACKSETS_PRINCIPAL)

# Third patch: moto evaluates a bucket policy's Principal "*" statements but not their conditions
# (its put_bucket_policy docstring says so; a statement whose condition it cannot match even counts
# as a deny), so the landing's TLS-only denies (`aws:SecureTransport = false`, `s3:TlsVersion < 1.2`)
# refuse every object request on every SecureBucket. In AWS the SDKs call S3 over TLS 1.2+, so those
# denies never match them. The patch evaluates the transport conditions of a bucket policy for such
# a request (TLS 1.3), drops the statements that do not apply, and leaves the rest to moto as shipped.
import json  # noqa: E402

from moto.s3 import models as s3_models  # noqa: E402

TLS_REQUEST_CONTEXT = {"aws:securetransport": "true", "s3:tlsversion": "1.3"}
_TRANSPORT_OPERATORS = {
    "Bool": lambda expected, actual: str(actual).lower() == str(expected).lower(),
    "NumericLessThan": lambda expected, actual: float(actual) < float(expected),
}


def _transport_condition(condition):
    """True/False when every key is a transport key this patch knows, None otherwise."""
    result = True
    for operator, pairs in condition.items():
        op = _TRANSPORT_OPERATORS.get(operator)
        for key, expected in pairs.items():
            actual = TLS_REQUEST_CONTEXT.get(key.lower())
            if op is None or actual is None:
                return None
            values = expected if isinstance(expected, list) else [expected]
            result = result and any(op(v, actual) for v in values)
    return result


def _permission_over_tls(self, action, resource):
    from moto.iam.access_control import IAMPolicy, PermissionResult

    if self.policy is None:
        return PermissionResult.NEUTRAL
    doc = json.loads(self.policy.decode())
    statements = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
    kept = []
    for st in statements:
        applies = _transport_condition(st["Condition"]) if "Condition" in st else None
        if applies is False:
            continue
        kept.append({k: v for k, v in st.items() if k != "Condition"} if applies else st)
    if not kept:
        return PermissionResult.NEUTRAL
    return IAMPolicy(json.dumps({**doc, "Statement": kept})).is_action_permitted(action, resource)


s3_models.FakeBucket.get_permission = _permission_over_tls

if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: python3 launcher.py <port>")
    main(["-H", "127.0.0.1", "-p", sys.argv[1]])
