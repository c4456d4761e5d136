/**
 * Types of asl-validator 4 (the package ships none), as its README documents them: the validator takes
 * a parsed definition and returns isValid and the errors, each with a code and a message, schema
 * errors with the JSON pointer of the failing value.
 */
declare module "asl-validator" {
  interface AslValidatorError {
    readonly "Error code": string;
    readonly Message?: string;
    readonly schemaError?: { readonly instancePath?: string; readonly schemaPath?: string };
  }
  function aslValidator(
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): { isValid: boolean; errors: AslValidatorError[]; errorsText(separator?: string): string };
  export = aslValidator;
}
