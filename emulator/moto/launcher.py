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

# Fourth patch: moto keeps the organization in the management account's backend and answers a
# member's Organizations reads from that member's own, empty backend (only DescribeOrganization and
# ListRoots look further). In AWS a member account that is a registered delegated administrator for
# a service may call the read-only Organizations operations and sees the management account's view;
# the landing's admin stack resolves the stack set's OU ids that way (data source
# aws_organizations_organizational_unit). The patch answers the OU-tree reads below from the
# management account's backend when the caller is a registered delegated administrator, and leaves
# every other caller and every other operation to moto as shipped. ListAccounts stays as shipped
# (docs/data-platform.md describes how the local pipeline works around it).
DELEGATED_ADMIN_READS = (
    "list_organizational_units_for_parent",
    "describe_organizational_unit",
    "list_children",
    "list_parents",
)


def _management_view(backend):
    """The management account's backend when `backend` belongs to a registered delegated admin."""
    if backend.org is not None:
        return None
    owner = org_models.organizations_backends.master_accounts.get(backend.account_id)
    if owner is None:
        return None
    management = org_models.organizations_backends[owner[0]][owner[1]]
    if any(a.account.id == backend.account_id and a.services for a in management.admins):
        return management
    return None


def _read_as_management(name):
    original = getattr(org_models.OrganizationsBackend, name)

    def read(self, *args, **kwargs):
        management = _management_view(self)
        return original(management if management is not None else self, *args, **kwargs)

    read.__name__ = name
    return read


for _name in DELEGATED_ADMIN_READS:
    setattr(org_models.OrganizationsBackend, _name, _read_as_management(_name))

# Fifth patch: a SERVICE_MANAGED stack set's instances for OU targets. moto looks the OU's accounts
# up in the stack set owner's own Organizations backend (empty for a delegated administrator, so no
# instance is created), descends only one OU level, ignores DeploymentTargets.Accounts and
# AccountFilterType, and does not report an instance's OrganizationalUnitId. In AWS a delegated
# administrator's service-managed stack set deploys to every account in the targeted OUs and their
# descendants, filtered by AccountFilterType (NONE, INTERSECTION, DIFFERENCE, UNION). The patch does
# that from the management account's view, records the OU each instance came from (ListStackInstances
# returns it, as AWS does), and lets DeleteStackInstances with OU targets delete those instances.
# Each instance's stack is still moto's hidden stack (its resources are created by moto's
# CloudFormation parser in the target account); operations still succeed at once.
from moto.cloudformation import models as cfn_models  # noqa: E402
from moto.cloudformation import responses as cfn_responses  # noqa: E402


def _org_view(account_id, partition):
    backend = org_models.organizations_backends[account_id][partition]
    return _management_view(backend) or backend


def _ou_targets(org, deployment_targets):
    """(account id, OU id it was targeted through) for OU deployment targets, AccountFilterType applied."""
    requested = deployment_targets.get("OrganizationalUnitIds", []) or []
    listed = set(deployment_targets.get("Accounts", []) or [])
    mode = deployment_targets.get("AccountFilterType") or "NONE"
    out = []
    for ou_id in requested:
        tree = {ou_id}
        grew = True
        while grew:
            more = {ou.id for ou in org.ou if getattr(ou, "parent_id", None) in tree} - tree
            tree |= more
            grew = bool(more)
        in_ou = [a.id for a in org.accounts if a.parent_id in tree and a.id != org.account_id]
        if mode == "INTERSECTION":
            chosen = [a for a in in_ou if a in listed]
        elif mode == "DIFFERENCE":
            chosen = [a for a in in_ou if a not in listed]
        elif mode == "UNION":
            chosen = in_ou + sorted(listed - set(in_ou))
        else:
            chosen = in_ou
        out += [(a, ou_id) for a in chosen if (a, ou_id) not in out]
    return out


_original_create_instances = cfn_models.StackInstances.create_instances


def _create_instances(self, accounts, regions, parameters, deployment_targets, permission_model):
    if permission_model != "SERVICE_MANAGED" or not deployment_targets.get("OrganizationalUnitIds"):
        return _original_create_instances(
            self, accounts, regions, parameters, deployment_targets, permission_model
        )
    org = _org_view(self.account_id, self.partition)
    created = []
    for region in regions:
        for account, ou_id in _ou_targets(org, deployment_targets):
            if any(i.account_id == account and i.region_name == region for i in self.stack_instances):
                continue  # AWS: an existing instance is left as it is
            instance = cfn_models.StackInstance(
                account_id=account,
                region_name=region,
                stackset_id=self.stackset_id,
                stack_name=self.stack_name,
                name=self.stackset_name,
                template=self.template,
                parameters=parameters,
                permission_model=permission_model,
            )
            instance.organizational_unit_id = ou_id
            created.append(instance)
    self.stack_instances += created
    return [i.to_dict() for i in created]


cfn_models.StackInstances.create_instances = _create_instances

_original_instance_to_dict = cfn_models.StackInstance.to_dict


def _instance_to_dict(self):
    out = _original_instance_to_dict(self)
    ou_id = getattr(self, "organizational_unit_id", None)
    if ou_id:
        out["OrganizationalUnitId"] = ou_id
    return out


cfn_models.StackInstance.to_dict = _instance_to_dict

_original_delete_instances_response = cfn_responses.CloudFormationResponse.delete_stack_instances


def _delete_stack_instances_response(self):
    targets = self._get_params().get("DeploymentTargets") or {}
    ou_ids = set(targets.get("OrganizationalUnitIds", []) or [])
    if ou_ids and not self._get_param("Accounts", []):
        stackset = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
        regions = self._get_param("Regions", [])
        accounts = sorted(
            {
                i.account_id
                for i in stackset.instances.stack_instances
                if getattr(i, "organizational_unit_id", None) in ou_ids and i.region_name in regions
            }
        )
        operation = self.cloudformation_backend.delete_stack_instances(
            stackset.name, accounts, regions
        )
        return cfn_responses.ActionResult({"OperationId": operation.operations[-1]["OperationId"]})
    return _original_delete_instances_response(self)


cfn_responses.CloudFormationResponse.delete_stack_instances = _delete_stack_instances_response

# Sixth patch: moto's PutEvents delivers to a matching rule's log group, SQS, archive and event-bus
# targets, and raises NotImplementedError (HTTP 500 for the whole PutEvents call) for any other,
# such as the Lambda function the landing's final-spend-cards rule targets. moto runs no Lambda code
# (the harness runs handlers in-process), so the patch delivers what moto supports and skips Lambda
# targets, printing one `emulated:` line per skipped invocation to the emulator log, instead of
# failing the caller's PutEvents as AWS never would.
from moto.events import models as events_models  # noqa: E402
from moto.utilities.arns import parse_arn  # noqa: E402

_original_send_to_targets = events_models.Rule.send_to_targets


def _send_to_targets(self, original_event, transform_input=True):
    targets = self.targets
    lambdas = [t for t in targets if parse_arn(t["Arn"]).service == "lambda"]
    if not lambdas:
        return _original_send_to_targets(self, original_event, transform_input)
    if not self.event_pattern.matches_event(original_event):
        return None
    for t in lambdas:
        print(f"emulated: rule {self.name} matched; Lambda target {t['Arn']} not invoked (moto runs no Lambda code)", flush=True)
    self.targets = [t for t in targets if t not in lambdas]
    try:
        return _original_send_to_targets(self, original_event, transform_input)
    finally:
        self.targets = targets


events_models.Rule.send_to_targets = _send_to_targets


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: python3 launcher.py <port>")
    main(["-H", "127.0.0.1", "-p", sys.argv[1]])
