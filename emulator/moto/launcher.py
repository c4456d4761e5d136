"""Starts moto's server for the local organization, with one named patch.

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

if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: python3 launcher.py <port>")
    main(["-H", "127.0.0.1", "-p", sys.argv[1]])
