import { serviceTrustPolicy, serviceTrustStatement } from "../../../contracts/iam-policy";

/**
 * The one service-role trust statement (contracts/iam-policy.ts). The exact JSON text matters: a role's
 * assume_role_policy is compared as text by synth:compare, so key order is part of the contract.
 */
describe("serviceTrustPolicy", () => {
  it("writes Effect, Principal, Action and the source account condition, in that order", () => {
    expect(serviceTrustPolicy("lambda.amazonaws.com", { sourceAccount: "222222222222" })).toBe(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},' +
        '"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"222222222222"}}}]}',
    );
  });

  it("puts the Sid first and further conditions after the source account", () => {
    expect(
      JSON.stringify(
        serviceTrustStatement("s3.amazonaws.com", {
          sid: "S3Replication",
          sourceAccount: "111111111111",
          condition: { ArnEquals: { "aws:SourceArn": "arn:aws:s3:::bucket" } },
        }),
      ),
    ).toBe(
      '{"Sid":"S3Replication","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole",' +
        '"Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"},"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::bucket"}}}',
    );
  });

  it("has no Condition (and no Sid) when none is given", () => {
    expect(serviceTrustStatement("states.amazonaws.com")).toEqual({
      Effect: "Allow",
      Principal: { Service: "states.amazonaws.com" },
      Action: "sts:AssumeRole",
    });
  });
});
