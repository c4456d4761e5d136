/**
 * A CUR delivery that cannot be ingested as it is: the run fails, nothing is written, and the
 * message names what is wrong and what to do. `field` says where (a manifest field, a column, an
 * object key).
 */
export class CurDeliveryError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "CurDeliveryError";
  }
}
