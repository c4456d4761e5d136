export {
  checkReadOnlySql,
  MAX_NESTING_DEPTH,
  MAX_SQL_LENGTH,
  type ReadOnlyKind,
  type RejectCategory,
  type SqlCheckResult,
} from "./guard";
export { MAX_IDENTIFIER_LENGTH, TRINO_RESERVED_WORDS, validateAthenaIdentifier } from "./identifier";
export { SqlTokenizeError, significantTokens, type Token, type TokenKind, tokenize } from "./tokenizer";
