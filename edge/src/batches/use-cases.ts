import { z } from "zod";

/**
 * SpeechAI's use cases, as data: the REST surface lists them (`GET /use-cases`), its `{use_case}` routes pick one,
 * and the importer reads which columns a use case needs and which extra fields it takes.
 */
export type UseCase = {
  id: UseCaseId;
  name: string;
  description: string;
  /** Debt collection groups rows per RUT; marketing may have no RUT column and then groups per phone. */
  requiresRut: boolean;
  /** Marketing needs an offer (description and a 0–100 discount) to tell the contact about. */
  requiresOffer: boolean;
};

export const USE_CASE_IDS = ["debt_collection", "marketing"] as const;
export type UseCaseId = (typeof USE_CASE_IDS)[number];

export const USE_CASES: readonly UseCase[] = [
  {
    id: "debt_collection",
    name: "Cobranza de Deudas",
    description: "Llamadas automáticas para recordar pagos pendientes",
    requiresRut: true,
    requiresOffer: false,
  },
  {
    id: "marketing",
    name: "Marketing",
    description: "Campañas de marketing y promociones",
    requiresRut: false,
    requiresOffer: true,
  },
];

export function useCaseById(id: UseCaseId): UseCase {
  const useCase = USE_CASES.find((candidate) => candidate.id === id);
  if (!useCase) throw new Error(`unknown use case ${id}`);
  return useCase;
}

/** The countries of SpeechAI's `/batches/{country}/{use_case}` routes, with the ISO code phones are read in. */
export const BATCH_COUNTRIES = { chile: "CL", argentina: "AR" } as const;
export type BatchCountryRoute = keyof typeof BATCH_COUNTRIES;
export type BatchCountry = (typeof BATCH_COUNTRIES)[BatchCountryRoute];

export const useCaseId = z.enum(USE_CASE_IDS);
export const batchCountry = z.enum(Object.values(BATCH_COUNTRIES) as [BatchCountry, ...BatchCountry[]]);

export const offer = z.object({
  description: z.string().trim().min(1).max(2000),
  discount: z.number().min(0).max(100),
});
export type Offer = z.infer<typeof offer>;
