/**
 * Ticket priority and SLA deadlines as the legacy Meuble de France back end scored them (LEGACY-NOTES): a score
 * from the problem category, the severity and the product's situation, then P0–P3 and two deadlines.
 */
export type TicketPriority = "P0" | "P1" | "P2" | "P3";
export type CategoryKind =
  | "structural"
  | "mechanism"
  | "delivery"
  | "dimensions"
  | "cushions"
  | "assembly"
  | "fabric"
  | "smell"
  | "other";
export type SeverityLevel = "critical" | "high" | "medium" | "low";
export type CustomerTier = "standard" | "premium" | "vip";

const CATEGORY_WEIGHT: Record<CategoryKind, number> = {
  structural: 30,
  mechanism: 25,
  delivery: 20,
  dimensions: 18,
  cushions: 15,
  assembly: 15,
  fabric: 10,
  smell: 8,
  other: 5,
};

const SEVERITY_WEIGHT: Record<SeverityLevel, number> = { critical: 25, high: 20, medium: 10, low: 5 };

/** Words customers and agents use (French, English, Spanish), accent-folded, for each category. */
const CATEGORY_WORDS: Array<[CategoryKind, string[]]> = [
  [
    "structural",
    ["structur", "fabrication", "manufactur", "casse", "broken", "rupture", "fissure", "crack", "pied", "leg"],
  ],
  ["mechanism", ["mecanisme", "mechanism", "relax", "convertible", "moteur", "motor", "tiroir", "drawer", "mecanismo"]],
  ["delivery", ["livraison", "delivery", "transport", "retard", "late", "entrega", "colis"]],
  ["dimensions", ["dimension", "taille", "size", "mesure", "tamano"]],
  ["cushions", ["coussin", "cushion", "assise", "mousse", "foam", "cojin"]],
  ["assembly", ["montage", "assembl", "notice", "vis", "screw", "montaje"]],
  ["fabric", ["tissu", "fabric", "cuir", "leather", "dechir", "tear", "tache", "stain", "couleur", "tela"]],
  ["smell", ["odeur", "smell", "odor", "olor"]],
];

const SEVERITY_WORDS: Array<[SeverityLevel, string[]]> = [
  ["critical", ["critique", "critical", "critico", "urgent", "bloquant", "dangereux", "danger"]],
  ["high", ["eleve", "haut", "high", "grave", "important", "alto", "majeur", "major"]],
  ["medium", ["moyen", "medium", "modere", "moderate", "normal", "medio"]],
  ["low", ["faible", "bas", "low", "mineur", "minor", "bajo", "leger"]],
];

/** Lower case without accents, so `défaut_fabrication` and `defaut-fabrication` read alike. */
export function foldAccents(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
}

export function categoryKind(category: string): CategoryKind {
  const folded = foldAccents(category);
  return CATEGORY_WORDS.find(([, words]) => words.some((word) => folded.includes(word)))?.[0] ?? "other";
}

/** The severity level a word names, or null for a word no language here uses. */
export function severityLevel(severity: string): SeverityLevel | null {
  const folded = foldAccents(severity).trim();
  return (
    SEVERITY_WORDS.find(([, words]) => words.some((word) => folded === word || folded.startsWith(word)))?.[0] ?? null
  );
}

export type PriorityFactors = {
  category: string;
  severity: SeverityLevel;
  /** Months since delivery, when known: a new product failing weighs more. */
  productAgeMonths?: number | undefined;
  /**
   * Whether the product is under warranty. Unknown counts as covered: French law's conformity guarantee covers
   * two years, and a claim with no purchase date is handled as a warranty claim until shown otherwise.
   */
  underWarranty?: boolean | undefined;
  customerTier?: CustomerTier | undefined;
};

const TIER_BONUS: Record<CustomerTier, number> = { standard: 0, premium: 5, vip: 10 };

export function priorityScore(factors: PriorityFactors): number {
  const age = factors.productAgeMonths;
  const ageBonus = age === undefined ? 0 : age <= 3 ? 10 : age <= 12 ? 5 : 0;
  const warrantyBonus = factors.underWarranty === false ? 0 : 5;
  return (
    CATEGORY_WEIGHT[categoryKind(factors.category)] +
    SEVERITY_WEIGHT[factors.severity] +
    ageBonus +
    warrantyBonus +
    TIER_BONUS[factors.customerTier ?? "standard"]
  );
}

export function priorityFor(score: number, severity: SeverityLevel): TicketPriority {
  if (score >= 85 || severity === "critical") return "P0";
  if (score >= 65) return "P1";
  if (score >= 45) return "P2";
  return "P3";
}

const HOUR_MS = 3_600_000;
/** Response / intervention deadlines in hours. */
const SLA_HOURS: Record<TicketPriority, { response: number; intervention: number }> = {
  P0: { response: 4, intervention: 24 },
  P1: { response: 24, intervention: 48 },
  P2: { response: 120, intervention: 168 },
  P3: { response: 168, intervention: 336 },
};

export function slaDeadlines(priority: TicketPriority, from: Date): { response: Date; intervention: Date } {
  const hours = SLA_HOURS[priority];
  return {
    response: new Date(from.getTime() + hours.response * HOUR_MS),
    intervention: new Date(from.getTime() + hours.intervention * HOUR_MS),
  };
}
