import { normaliseText } from "../conversation/intents.js";

/** Abidjan districts and their fixed delivery fees (FCFA), per LEGACY-NOTES; anywhere else ships by "expédition". */
const DISTRICT_FEES: ReadonlyArray<readonly [string, number]> = [
  ["Yopougon", 1500],
  ["Cocody", 1500],
  ["Plateau", 1500],
  ["Adjamé", 1500],
  ["Abobo", 1500],
  ["Marcory", 1500],
  ["Koumassi", 1500],
  ["Treichville", 1500],
  ["Angré", 1500],
  ["Riviera", 1500],
  ["Zone 4", 1500],
  ["Port-Bouët", 2000],
  ["Attécoubé", 2000],
  ["Bingerville", 2000],
  ["Songon", 2500],
  ["Anyama", 2500],
  ["Grand-Bassam", 2500],
  ["Dabou", 2500],
];

/** Shipping outside the districts starts at this fee. */
export const EXPEDITION_FEE = 3500;

export type DeliveryZone = { zone: string; fee: number; expedition: boolean };

/** A district named in the text, with its fee. */
export function findDistrict(text: string): DeliveryZone | null {
  const normalised = normaliseText(text);
  for (const [zone, fee] of DISTRICT_FEES) {
    if (normalised.includes(normaliseText(zone))) return { zone, fee, expedition: false };
  }
  return null;
}

/** "je suis à Bouaké", "livraison à San Pedro", "j'habite Korhogo": a town outside the districts. */
const TOWN_PATTERN =
  /(?:suis à|habite(?: à)?|livr\w* (?:à|a|sur|en)|ville(?: de)?|zone|quartier|vivo en|estoy en|live in|deliver(?:y)? to)\s+([A-ZÀ-Ý][\p{L}'-]+(?:[ -][A-ZÀ-Ý][\p{L}'-]+)?)/u;

/** The delivery zone a message names: a district with its fee, else another town shipped from 3500 FCFA. */
export function findZone(text: string): DeliveryZone | null {
  const district = findDistrict(text);
  if (district) return district;
  const town = text.match(TOWN_PATTERN)?.[1];
  return town ? { zone: town, fee: EXPEDITION_FEE, expedition: true } : null;
}
