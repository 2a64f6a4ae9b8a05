import { and, eq, inArray, sql } from "drizzle-orm";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import { hashPassword } from "../../../edge/src/identity/passwords.js";
import {
  accounts,
  agents,
  contacts,
  organisations,
  phoneNumbers,
  products,
  type ScenarioDocument,
  users,
} from "../index.js";

export type SeedOptions = { orgSlug: string; demoPassword: string };

export type SeedSummary = {
  orgId: string;
  orgSlug: string;
  userEmail: string;
  acmeOrgId: string;
  acmeUserEmail: string;
  accountCode: string;
  agentSlugs: string[];
  contactNumbers: number[];
  productSku: string;
  phoneNumber: string;
  /** Seed rows that could not be created because other data holds their identifiers. */
  warnings: string[];
};

type Db = NodePgDatabase;
type ContactSeed = Omit<typeof contacts.$inferInsert, "orgId">;

export const DEMO_USER_EMAIL = "demo@switchboard.local";
export const ACME_USER_EMAIL = "owner@acme.switchboard.local";
/** Botlive's company_id in the legacy examples. */
const BOTLIVE_COMPANY_ID = "4OS4yFcf2LZwxhKojbAVbKuVuSdb";

/**
 * Demo data matching the legacy API documents' examples, so they work as written.
 * Idempotent: every row is looked up or inserted with ON CONFLICT DO NOTHING, so it runs on every start.
 */
export async function seedDemo(databaseUrl: string, options: SeedOptions): Promise<SeedSummary> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await seedWith(drizzle(client), options);
  } finally {
    await client.end();
  }
}

async function seedWith(db: Db, options: SeedOptions): Promise<SeedSummary> {
  const warnings: string[] = [];
  const orgId = await ensureOrganisation(db, {
    slug: options.orgSlug,
    name: "Demo Organisation",
    externalId: BOTLIVE_COMPANY_ID,
  });
  const userId = await ensureUser(db, {
    orgId,
    email: DEMO_USER_EMAIL,
    password: options.demoPassword,
    firstName: "Demo",
  });
  await ensureDefaultAccount(db, orgId, warnings);
  const agentIds = await ensureAgents(db, orgId, userId);
  const contactNumbers = await ensureNumberedContacts(db, orgId, demoContacts, warnings);
  await ensureProduct(db, orgId);
  await ensurePhoneNumber(db, orgId, agentIds.get("scenario_test_demo"), warnings);

  const acmeOrgId = await ensureOrganisation(db, { slug: "acme", name: "Acme Corp" });
  await ensureUser(db, {
    orgId: acmeOrgId,
    email: ACME_USER_EMAIL,
    password: options.demoPassword,
    firstName: "Alice",
  });
  await ensureContactsByPhone(db, acmeOrgId, acmeContacts);

  return {
    orgId,
    orgSlug: options.orgSlug,
    userEmail: DEMO_USER_EMAIL,
    acmeOrgId,
    acmeUserEmail: ACME_USER_EMAIL,
    accountCode: "retail_express",
    agentSlugs: [...agentIds.keys()],
    contactNumbers,
    productSku: demoProduct.sku,
    phoneNumber: demoPhoneNumber,
    warnings,
  };
}

async function ensureOrganisation(db: Db, values: typeof organisations.$inferInsert): Promise<string> {
  await db.insert(organisations).values(values).onConflictDoNothing();
  const [row] = await db
    .select({ id: organisations.id })
    .from(organisations)
    .where(eq(organisations.slug, values.slug));
  // Only reachable when another organisation already holds the external id.
  if (!row) throw new Error(`seed: organisation "${values.slug}" could not be created (external id taken?)`);
  return row.id;
}

async function ensureUser(
  db: Db,
  user: { orgId: string; email: string; password: string; firstName: string },
): Promise<string> {
  const email = user.email.toLowerCase();
  const existing = await findUserId(db, email);
  if (existing) return existing;
  // Hashing is deliberately slow, so it only happens the first time.
  const passwordHash = await hashPassword(user.password);
  await db
    .insert(users)
    .values({ orgId: user.orgId, email, passwordHash, firstName: user.firstName, role: "owner" })
    .onConflictDoNothing();
  const created = await findUserId(db, email);
  if (!created) throw new Error(`seed: user ${email} could not be created`);
  return created;
}

async function findUserId(db: Db, email: string): Promise<string | undefined> {
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  return row?.id;
}

/**
 * The organisation's default account (unlimited: MiniBotPanel's campaigns never had credits) and SpeechAI's
 * example account `retail_express`, credit-based with the documented 150.50 credits, given as a top-up in the
 * ledger (every balance derives from it). Databases seeded before keep their default.
 */
async function ensureDefaultAccount(db: Db, orgId: string, warnings: string[]): Promise<void> {
  await db
    .insert(accounts)
    .values({ orgId, code: "demo", name: "Demo Organisation", planType: "unlimited", isDefault: true })
    .onConflictDoNothing();
  const code = "retail_express";
  await db.execute(sql`
    with account as (
      insert into ${accounts} (org_id, code, name, country, plan_type, credit_balance)
      values (${orgId}, ${code}, 'Retail Express Corp', 'CL', 'credit_based', 150.5)
      on conflict do nothing
      returning id, org_id, credit_balance
    )
    insert into credit_transactions (org_id, account_id, type, amount, balance_after, description)
    select org_id, id, 'topup_credits'::credit_transaction_type, credit_balance, credit_balance, 'Initial credits' from account`);
  const [row] = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(eq(accounts.orgId, orgId), eq(accounts.code, code)));
  if (!row) warnings.push(`account ${code} not created: another organisation's data holds its identifiers`);
}

async function ensureAgents(db: Db, orgId: string, userId: string): Promise<Map<string, string>> {
  const rows = demoAgents.map((agent) => ({ ...agent, orgId, createdByUserId: userId }));
  await db.insert(agents).values(rows).onConflictDoNothing();
  const slugs = demoAgents.map((agent) => agent.slug);
  const found = await db
    .select({ id: agents.id, slug: agents.slug })
    .from(agents)
    .where(and(eq(agents.orgId, orgId), inArray(agents.slug, slugs)));
  return new Map(found.map((row) => [row.slug, row.id]));
}

/**
 * Legacy clients address contacts by integer (MiniBotPanel's contact_ids [1, 2, 3, 4, 5]),
 * so these get explicit numbers; the identity sequence is then moved past them.
 */
async function ensureNumberedContacts(
  db: Db,
  orgId: string,
  seeds: ContactSeed[],
  warnings: string[],
): Promise<number[]> {
  await db
    .insert(contacts)
    .values(seeds.map((contact) => ({ ...contact, orgId })))
    .onConflictDoNothing();
  await db.execute(
    sql`select setval(pg_get_serial_sequence('contacts', 'number'), greatest((select max(number) from contacts), 1))`,
  );
  const wanted = seeds.map((contact) => contact.number).filter((number): number is number => number !== undefined);
  const owned = await db
    .select({ number: contacts.number })
    .from(contacts)
    .where(and(eq(contacts.orgId, orgId), inArray(contacts.number, wanted)));
  const ownedNumbers = new Set(owned.map((row) => row.number));
  const taken = wanted.filter((number) => !ownedNumbers.has(number));
  if (taken.length > 0) warnings.push(`contact numbers ${taken.join(", ")} belong to another organisation`);
  return wanted.filter((number) => ownedNumbers.has(number));
}

/** Contacts without a fixed number, identified by phone within the organisation. */
async function ensureContactsByPhone(db: Db, orgId: string, seeds: ContactSeed[]): Promise<void> {
  const existing = await db
    .select({ phone: contacts.phone })
    .from(contacts)
    .where(
      and(
        eq(contacts.orgId, orgId),
        inArray(
          contacts.phone,
          seeds.map((contact) => contact.phone),
        ),
      ),
    );
  const known = new Set(existing.map((row) => row.phone));
  const missing = seeds.filter((contact) => !known.has(contact.phone));
  if (missing.length > 0) await db.insert(contacts).values(missing.map((contact) => ({ ...contact, orgId })));
}

async function ensureProduct(db: Db, orgId: string): Promise<void> {
  await db
    .insert(products)
    .values(catalogue.map((product) => ({ ...product, orgId })))
    .onConflictDoNothing();
}

async function ensurePhoneNumber(
  db: Db,
  orgId: string,
  agentId: string | undefined,
  warnings: string[],
): Promise<void> {
  await db
    .insert(phoneNumbers)
    .values({ orgId, e164: demoPhoneNumber, label: "Demo inbound line", agentId })
    .onConflictDoNothing();
  const [row] = await db
    .select({ orgId: phoneNumbers.orgId })
    .from(phoneNumbers)
    .where(eq(phoneNumbers.e164, demoPhoneNumber));
  if (row?.orgId !== orgId) warnings.push(`phone number ${demoPhoneNumber} belongs to another organisation`);
}

// ---------------------------------------------------------------------------------------------
// The demo data itself.

/** A two-question qualification call: greeting, offer, then a lead or a polite goodbye. */
function qualificationScenario(texts: {
  name: string;
  hello: string;
  offer: string;
  lead: string;
  notInterested: string;
}): ScenarioDocument {
  return {
    name: texts.name,
    steps: {
      hello: {
        message_text: texts.hello,
        intent_mapping: { yes: "offer", no: "not_interested", "*": "offer" },
        timeout: 8,
        barge_in: true,
      },
      offer: {
        message_text: texts.offer,
        intent_mapping: { yes: "lead", no: "not_interested", "*": "not_interested" },
        timeout: 10,
        barge_in: true,
      },
      lead: { message_text: texts.lead, intent_mapping: {}, result: "lead", is_terminal: true },
      not_interested: {
        message_text: texts.notInterested,
        intent_mapping: {},
        result: "not_interested",
        is_terminal: true,
      },
    },
  };
}

const voiceScenarioAgent = (slug: string, name: string, scenario: ScenarioDocument, language = "fr") =>
  ({ slug, name, kind: "voice", mode: "scenario", language, scenario }) as const;

const demoAgents: Omit<typeof agents.$inferInsert, "orgId">[] = [
  voiceScenarioAgent(
    "scenario_test_demo",
    "Scénario de démonstration",
    qualificationScenario({
      name: "scenario_test_demo",
      hello: "Bonjour, ici l'assistant de démonstration Switchboard. Avez-vous une minute ?",
      offer: "Souhaitez-vous qu'un conseiller vous rappelle pour une démonstration ?",
      lead: "Parfait, un conseiller vous rappellera très vite. Bonne journée !",
      notInterested: "Très bien, merci pour votre temps. Bonne journée !",
    }),
  ),
  voiceScenarioAgent(
    "scenario_finance_crypto",
    "Finance crypto",
    qualificationScenario({
      name: "scenario_finance_crypto",
      hello: "Bonjour, je vous appelle au sujet de l'épargne en cryptomonnaies. Avez-vous un instant ?",
      offer: "Seriez-vous intéressé par un rendez-vous gratuit avec un conseiller en placements ?",
      lead: "Excellent, un conseiller vous contactera pour fixer le rendez-vous. Au revoir !",
      notInterested: "Je comprends, merci de m'avoir écouté. Au revoir !",
    }),
  ),
  voiceScenarioAgent(
    "scenario_vin",
    "Cave à vins",
    qualificationScenario({
      name: "scenario_vin",
      hello: "Bonjour, ici la cave du Domaine des Coteaux. Aimez-vous les vins de Bourgogne ?",
      offer: "Nous proposons une caisse découverte de six bouteilles à prix réduit. Cela vous intéresse ?",
      lead: "Merci ! Un sommelier vous rappellera pour finaliser votre commande.",
      notInterested: "Pas de souci, merci et à bientôt !",
    }),
  ),
  // SpeechAI's use cases: a batch is dialled by the voice agent whose slug is its use case id.
  voiceScenarioAgent(
    "debt_collection",
    "Cobranza de Deudas",
    qualificationScenario({
      name: "debt_collection",
      hello: "Buenos días, le llamamos por un saldo pendiente en su cuenta. ¿Tiene un momento?",
      offer: "¿Puede regularizar el pago antes de la fecha límite indicada en su aviso?",
      lead: "Perfecto, registramos su compromiso de pago. Gracias y que tenga un buen día.",
      notInterested: "Entendido. Le enviaremos las alternativas de pago por escrito. Que tenga un buen día.",
    }),
    "es",
  ),
  voiceScenarioAgent(
    "marketing",
    "Marketing",
    qualificationScenario({
      name: "marketing",
      hello: "Hola, le llamamos con una oferta exclusiva para clientes. ¿Tiene un minuto?",
      offer: "Tenemos un descuento especial este mes. ¿Le gustaría que un ejecutivo le contacte para aprovecharlo?",
      lead: "¡Excelente! Un ejecutivo le llamará muy pronto. Gracias.",
      notInterested: "Muy bien, gracias por su tiempo. Que tenga un buen día.",
    }),
    "es",
  ),
  {
    slug: "meuble_support",
    name: "Support Meuble de France",
    kind: "chat",
    mode: "scenario",
    language: "fr",
    scenario: {
      name: "meuble_support",
      steps: {
        hello: {
          message_text: "Bonjour ! Je suis l'assistant Meuble de France. Comment puis-je vous aider ?",
          intent_mapping: { product_question: "products", complaint: "ticket", "*": "products" },
        },
        products: {
          message_text: "Je peux vous renseigner sur nos canapés, tables et rangements. Quel produit vous intéresse ?",
          intent_mapping: { "*": "handoff" },
        },
        ticket: {
          message_text: "Je suis désolé. Je crée un ticket SAV, un conseiller vous répondra sous 24 h.",
          intent_mapping: {},
          is_terminal: true,
        },
        handoff: {
          message_text: "Je transmets votre demande à un conseiller. Merci de votre patience.",
          intent_mapping: {},
          is_terminal: true,
        },
      },
    },
  },
  {
    slug: "support_agent_llm",
    name: "Support Agent",
    kind: "voice",
    mode: "llm",
    language: "fr",
    llmProvider: "openai",
    llmModel: "gpt-4",
    systemPrompt: "You are a helpful support agent.",
    temperature: 0.7,
  },
];

const demoContact = (
  number: number,
  firstName: string,
  lastName: string,
  company: string,
  phone: string,
  email: string,
): ContactSeed => ({ number, firstName, lastName, company, phone, email, country: "FR" });

/**
 * The MiniBotPanel examples' contacts 1–5; contact 1 is the documents' Jean Dupont. The jambonz emulator answers
 * by the last digit of the number (media-node/src/emulator/personas.ts), so the documented campaign shows one
 * of each outcome of an answered call: a lead, not interested, a callback, an answering machine, and a contact
 * who says nothing (result no_answer). None is left unanswered, which the product retries only after the
 * campaign's retry delay (busy 5 min, no answer 30 min): the demo campaign completes within minutes.
 */
const demoContacts: ContactSeed[] = [
  demoContact(1, "Jean", "Dupont", "TechCorp", "+33612345678", "jean@example.com"),
  demoContact(2, "Marie", "Martin", "Boulangerie Martin", "+33623456789", "marie.martin@example.com"),
  demoContact(3, "Pierre", "Bernard", "Bernard & Fils", "+33634567890", "pierre.bernard@example.com"),
  demoContact(4, "Sophie", "Petit", "Studio Petit", "+33645678901", "sophie.petit@example.com"),
  demoContact(5, "Luc", "Moreau", "Moreau Conseil", "+33656789014", "luc.moreau@example.com"),
];

const acmeContacts: ContactSeed[] = [
  { firstName: "Alice", lastName: "Walker", company: "Acme Corp", phone: "+14155550101", country: "US" },
  { firstName: "Bob", lastName: "Stone", company: "Acme Corp", phone: "+14155550102", country: "US" },
];

const demoProduct = {
  sku: "CANAPÉ-OSLO-3P",
  name: "Canapé Oslo 3 places",
  category: "salon",
  description: "Canapé trois places en tissu bouclé, pieds en chêne massif.",
  price: 1299.0,
  currency: "EUR",
  inStock: true,
};

const image = (slug: string) => `https://images.meuble-de-france.example/produits/${slug}.jpg`;

/** Meuble de France's catalogue for the demo organisation: the documented sofa first, then its neighbours. */
const catalogue: Array<Omit<typeof products.$inferInsert, "orgId">> = [
  { ...demoProduct, images: [image("canape-oslo-3p"), image("canape-oslo-3p-detail")] },
  {
    sku: "CANAPÉ-OSLO-2P",
    name: "Canapé Oslo 2 places",
    category: "salon",
    description: "Canapé deux places en tissu bouclé écru, pieds en chêne massif.",
    price: 999.0,
    inStock: true,
    images: [image("canape-oslo-2p")],
  },
  {
    sku: "CANAPÉ-ANGLE-MILANO",
    name: "Canapé d'angle convertible Milano",
    category: "salon",
    description: "Canapé d'angle réversible, convertible en lit 140 cm, mécanisme à ouverture rapide, velours gris.",
    price: 1899.0,
    inStock: true,
    images: [image("canape-angle-milano")],
  },
  {
    sku: "FAUTEUIL-RELAX-NORDIK",
    name: "Fauteuil relax électrique Nordik",
    category: "salon",
    description: "Fauteuil de relaxation électrique en cuir véritable cognac, moteur silencieux, repose-pieds.",
    price: 849.0,
    inStock: false,
    images: [image("fauteuil-relax-nordik")],
  },
  {
    sku: "TABLE-BASSE-CHENE-LUNA",
    name: "Table basse Luna en chêne",
    category: "salon",
    description: "Table basse ronde en chêne massif huilé, diamètre 90 cm.",
    price: 429.0,
    inStock: true,
    images: [image("table-basse-luna")],
  },
  {
    sku: "TABLE-REPAS-EXT-VERONA",
    name: "Table à manger extensible Verona",
    category: "salle_a_manger",
    description: "Table de repas extensible de 6 à 10 couverts, plateau céramique effet marbre, allonges intégrées.",
    price: 1290.0,
    inStock: true,
    images: [image("table-verona")],
  },
  {
    sku: "CHAISE-VERONA-X2",
    name: "Lot de 2 chaises Verona",
    category: "salle_a_manger",
    description: "Chaises rembourrées en tissu chiné, pieds métal noir mat.",
    price: 259.0,
    inStock: true,
    images: [image("chaise-verona")],
  },
  {
    sku: "BUFFET-SCANDI-3P",
    name: "Buffet scandinave 3 portes",
    category: "salle_a_manger",
    description: "Buffet en chêne et laque blanche, trois portes et deux tiroirs à fermeture amortie.",
    price: 699.0,
    inStock: true,
    images: [image("buffet-scandi")],
  },
  {
    sku: "LIT-COFFRE-160-ELEGANCE",
    name: "Lit coffre Élégance 160x200",
    category: "chambre",
    description: "Lit coffre avec sommier relevable à vérins et tête de lit capitonnée en velours bleu nuit.",
    price: 1099.0,
    inStock: true,
    images: [image("lit-coffre-elegance")],
  },
  {
    sku: "MATELAS-MEMOIRE-160",
    name: "Matelas mémoire de forme 160x200",
    category: "literie",
    description: "Matelas mousse à mémoire de forme, soutien ferme, déhoussable, 25 cm d'épaisseur.",
    price: 749.0,
    inStock: true,
    images: [image("matelas-memoire")],
  },
  {
    sku: "ARMOIRE-PORTES-COULISSANTES-200",
    name: "Armoire portes coulissantes 200 cm",
    category: "chambre",
    description: "Armoire deux portes coulissantes avec miroir, penderie et étagères, finition chêne clair.",
    price: 899.0,
    inStock: false,
    images: [image("armoire-coulissante")],
  },
  {
    sku: "COMMODE-6T-BOHEME",
    name: "Commode 6 tiroirs Bohème",
    category: "chambre",
    description: "Commode en manguier massif, six tiroirs sur coulisses métalliques, poignées en laiton.",
    price: 579.0,
    inStock: true,
    images: [image("commode-boheme")],
  },
  {
    sku: "BUREAU-ASSIS-DEBOUT-FLEX",
    name: "Bureau assis-debout Flex",
    category: "bureau",
    description: "Bureau réglable en hauteur électriquement, plateau 140 cm en chêne, double moteur.",
    price: 649.0,
    inStock: true,
    images: [image("bureau-flex")],
  },
  {
    sku: "SALON-JARDIN-TECK-BALI",
    name: "Salon de jardin Bali en teck",
    category: "jardin",
    description: "Salon de jardin quatre places en teck massif avec coussins déperlants.",
    price: 1490.0,
    inStock: true,
    images: [image("salon-jardin-bali")],
  },
  {
    sku: "MEUBLE-TV-ATELIER-180",
    name: "Meuble TV Atelier 180 cm",
    category: "salon",
    description: "Meuble TV style industriel, métal et bois recyclé, deux niches et deux tiroirs.",
    price: 499.0,
    inStock: true,
    images: [image("meuble-tv-atelier")],
  },
];

const demoPhoneNumber = "+33900000001";
