import { DomainError } from "../shared/errors.js";

/**
 * Why a file cannot become a batch. Every one is the client's to fix (REST answers 400, 413 for FILE_TOO_LARGE);
 * none leaves anything behind, because the file is read and checked before the transaction starts.
 */
export type BatchFileProblem =
  | "FILE_TOO_LARGE"
  | "TOO_MANY_ROWS"
  | "UNSUPPORTED_FILE"
  | "UNREADABLE_FILE"
  | "EMPTY_FILE"
  | "MISSING_COLUMNS"
  | "NOTHING_TO_IMPORT";

export class BatchFileError extends DomainError {
  constructor(
    readonly problem: BatchFileProblem,
    message: string,
  ) {
    super(problem, message);
  }
}
