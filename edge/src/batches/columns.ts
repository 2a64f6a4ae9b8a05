/** The fields a batch file can carry, and the header spellings each is known by (already normalised). */
export const KNOWN_HEADERS = {
  rut: ["rut", "ruts", "dni"],
  name: ["nombre"],
  company: ["origenempresa", "empresa"],
  amount: ["saldoactualizado"],
  dueDate: ["fechavencimiento"],
  daysLate: ["diasretraso"],
  mobile: ["telefonomovil", "celular"],
  landline: ["telefonofijo", "residencial"],
} as const satisfies Record<string, readonly string[]>;

export type BatchField = keyof typeof KNOWN_HEADERS;
/** Which column (0-based) holds each field that the file has. */
export type ColumnMap = Partial<Record<BatchField, number>>;

const FIELDS = Object.keys(KNOWN_HEADERS) as BatchField[];

/** Lower case, accents, spaces, `-` and `_` removed: "Teléfono móvil" and "telefono_movil" read the same. */
export function normaliseHeader(header: string): string {
  return header
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[\s_-]/g, "");
}

/**
 * Matches each field to a column. Exact matches are assigned first, for every field, so a substring match
 * ("Celular 2" for `mobile`) never takes a column another field names exactly. Ties go to the spelling listed
 * first, then to the leftmost column, so the same headers always give the same map.
 */
export function matchColumns(headers: readonly string[]): ColumnMap {
  const normalised = headers.map(normaliseHeader);
  const map: ColumnMap = {};
  const taken = new Set<number>();
  for (const exact of [true, false]) {
    for (const field of FIELDS) {
      if (map[field] !== undefined) continue;
      const column = findColumn(normalised, KNOWN_HEADERS[field], exact, taken);
      if (column === undefined) continue;
      map[field] = column;
      taken.add(column);
    }
  }
  return map;
}

function findColumn(
  headers: readonly string[],
  spellings: readonly string[],
  exact: boolean,
  taken: ReadonlySet<number>,
): number | undefined {
  for (const spelling of spellings) {
    const column = headers.findIndex(
      (header, index) =>
        !taken.has(index) && header !== "" && (exact ? header === spelling : header.includes(spelling)),
    );
    if (column >= 0) return column;
  }
  return undefined;
}
