/** Minimal typed IAM policy documents: synthesized as plain JSON so tests can read every statement. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: "*" | Record<string, string | string[]>;
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[] | boolean | number>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: PolicyStatement[];
}

export function policyDocument(statements: PolicyStatement[]): string {
  const doc: PolicyDocument = { Version: "2012-10-17", Statement: statements };
  return JSON.stringify(doc);
}

export interface ServiceTrustOptions {
  /** Statement id. @default none */
  readonly sid?: string;
  /**
   * The account the service must act for (aws:SourceAccount, StringEquals): the confused-deputy
   * guard every service role of the landing carries. Written first in the condition.
   */
  readonly sourceAccount?: string;
  /** Further conditions (e.g. aws:SourceArn), after the source account. */
  readonly condition?: PolicyStatement["Condition"];
}

/**
 * The trust statement of a service role: `service` (e.g. "lambda.amazonaws.com") may assume it,
 * optionally only on behalf of `sourceAccount`. Keys in the order IAM documents them (Sid, Effect,
 * Principal, Action, Condition): the synthesized JSON is the same as a hand-written statement's.
 */
export function serviceTrustStatement(service: string, options: ServiceTrustOptions = {}): PolicyStatement {
  const condition = {
    ...(options.sourceAccount ? { StringEquals: { "aws:SourceAccount": options.sourceAccount } } : {}),
    ...options.condition,
  };
  return {
    ...(options.sid ? { Sid: options.sid } : {}),
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
    ...(Object.keys(condition).length ? { Condition: condition } : {}),
  };
}

/** A service role's assume-role policy document (JSON) with the one trust statement above. */
export function serviceTrustPolicy(service: string, options: ServiceTrustOptions = {}): string {
  return policyDocument([serviceTrustStatement(service, options)]);
}

/**
 * The statement every customer-managed key policy of the landing starts with: the account
 * administers the key and its IAM policies grant its use (AWS's default key policy,
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html). In IAM's order.
 */
export function accountAdministersKeyStatement(
  accountId: string,
  sid = "AccountAdministersKeyAndIamGrantsUse",
): PolicyStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${accountId}:root` },
    Action: "kms:*",
    Resource: "*",
  };
}

/**
 * A key policy statement that lets an AWS service use the key for what it writes into an encrypted
 * resource of the landing (a queue, a topic, a log group): `Resource: "*"` is the key itself in a
 * key policy. Keys in IAM's documented order (Sid, Effect, Principal, Action, Resource, Condition).
 */
export function serviceKeyUseStatement(
  sid: string,
  service: string,
  actions: string[],
  condition?: PolicyStatement["Condition"],
): PolicyStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { Service: service },
    Action: actions,
    Resource: "*",
    ...(condition ? { Condition: condition } : {}),
  };
}
