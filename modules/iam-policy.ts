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
