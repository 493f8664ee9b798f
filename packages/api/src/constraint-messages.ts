/**
 * What a violated Postgres constraint means to a caller, in the words of the domain whose table
 * it is. Each domain declares its own in `<domain>/constraints.ts`, which its service imports;
 * errors.ts looks a constraint up here when it maps a database error, and says something
 * generic for one nobody declared. A new domain adds its file: neither this one nor errors.ts
 * changes.
 */

export interface ConstraintMessages {
  /** Foreign keys: the referenced record is not in the caller's tenant (NOT_FOUND). */
  missingReference?: Record<string, string>;
  /** Unique constraints and indexes: the value is taken (CONFLICT). */
  unique?: Record<string, string>;
  /**
   * Foreign keys seen from the other side: a delete (or an update of a key) of a record that
   * rows still reference, refused by a key with no cascade (CONFLICT), e.g. an agent that is a
   * crew's member.
   */
  stillReferenced?: Record<string, string>;
}

type ConstraintKind = keyof ConstraintMessages;

const kinds = ["missingReference", "unique", "stillReferenced"] as const satisfies readonly ConstraintKind[];
const declared: Record<ConstraintKind, Map<string, string>> = {
  missingReference: new Map(),
  unique: new Map(),
  stillReferenced: new Map(),
};

/** Declares a domain's messages, by constraint name. A name declared twice must mean the same. */
export function constraintMessages(messages: ConstraintMessages): void {
  for (const kind of kinds) {
    for (const [constraint, message] of Object.entries(messages[kind] ?? {})) {
      const earlier = declared[kind].get(constraint);
      if (earlier !== undefined && earlier !== message) {
        throw new Error(`constraint ${constraint} is declared twice, as "${earlier}" and as "${message}"`);
      }
      declared[kind].set(constraint, message);
    }
  }
}

/** The declared message for a violated constraint, if a domain declared one. */
export function constraintMessage(kind: ConstraintKind, constraint: string): string | undefined {
  return declared[kind].get(constraint);
}
