export {
  checkReadOnlySql,
  MAX_CASE_DEPTH,
  MAX_NESTING_DEPTH,
  MAX_PREFIX_OPERATOR_RUN,
  MAX_SQL_LENGTH,
  MAX_SUBQUERY_DEPTH,
  type ReadOnlyKind,
  type RejectCategory,
  type SqlCheckResult,
} from "./guard";
export { MAX_IDENTIFIER_LENGTH, TRINO_RESERVED_WORDS, validateAthenaIdentifier } from "./identifier";
export { SqlTokenizeError, significantTokens, type Token, type TokenKind, tokenize } from "./tokenizer";
