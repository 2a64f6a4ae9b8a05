import { describe, expect, inject, it } from "vitest";
import { bearer, ERROR_FIELDS, registerUser, resultOf } from "./support/accounts.js";
import { firstRow, useDatabase } from "./support/database.js";
import { debtorRows, type FixtureCell, MESSY_HEADERS, workbookBytes } from "./support/excel.js";
import { type GraphqlResponse, rest } from "./support/http.js";

/** Excel batches through the worker: the file goes over GraphQL, the batch comes out as a MiniBotPanel campaign. */

const key = () => ({ "x-api-key": inject("apiPassword") });
const database = useDatabase();

/** RUTs no other run of this file (sharing the database) uses. */
const base = 20_000_000 + Math.floor(Math.random() * 900) * 10_000;

const PREVIEW = `
  ${ERROR_FIELDS}
  ... on MutationPreviewBatchImportSuccess {
    data { fileName totalRows validRows invalidRows duplicates totalDebtors estimatedCost issues { row status reasons } }
  }`;
const IMPORT = `
  ${ERROR_FIELDS}
  ... on InsufficientCreditError { required available }
  ... on MutationImportBatchSuccess {
    data { batchCode totalDebtors totalJobs estimatedCost duplicatesFound campaign { number name batchCode objectId status } }
  }`;

type Outcome = Record<string, unknown> & { __typename: string; code?: string; data?: Record<string, never> };

/** The operation over the GraphQL multipart request spec: the workbook travels as a file part. */
async function multipart(
  field: string,
  selection: string,
  input: Record<string, unknown>,
  bytes: Uint8Array,
  headers: Record<string, string> = key(),
): Promise<GraphqlResponse> {
  const form = new FormData();
  const query = `mutation ($input: BatchImportInput!) { ${field}(input: $input) { ${selection} } }`;
  form.set("operations", JSON.stringify({ query, variables: { input: { ...input, file: null } } }));
  form.set("map", JSON.stringify({ 0: ["variables.input.file"] }));
  form.set("0", new Blob([bytes]), String(input.fileName));
  const response = await fetch(`${inject("edgeUrl")}/graphql`, { method: "POST", headers, body: form });
  return { status: response.status, body: (await response.json()) as GraphqlResponse["body"] };
}

async function viaBase64(field: string, selection: string, input: Record<string, unknown>, bytes: Uint8Array) {
  const fileBase64 = Buffer.from(bytes).toString("base64");
  const query = `mutation ($input: BatchImportInput!) { ${field}(input: $input) { ${selection} } }`;
  const response = await fetch(`${inject("edgeUrl")}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...key() },
    body: JSON.stringify({ query, variables: { input: { ...input, fileBase64 } } }),
  });
  return { status: response.status, body: (await response.json()) as GraphqlResponse["body"] };
}

const preview = async (input: Record<string, unknown>, bytes: Uint8Array) =>
  resultOf<Outcome>(await multipart("previewBatchImport", PREVIEW, input, bytes), "previewBatchImport");
const importFile = async (input: Record<string, unknown>, bytes: Uint8Array) =>
  resultOf<Outcome>(await multipart("importBatch", IMPORT, input, bytes), "importBatch");

async function batchRowCounts(): Promise<{ campaigns: number; calls: number; contacts: number }> {
  return firstRow(
    database(),
    `select (select count(*)::int from campaigns) as campaigns, (select count(*)::int from calls) as calls,
            (select count(*)::int from contacts) as contacts`,
  );
}

/** A messy debt-collection sheet: 4 debtors over 6 rows, one row without RUT, one bad phone, mixed dates. */
function messySheet(offset: number): FixtureCell[][] {
  const rut = (n: number) =>
    `${Math.floor((base + offset + n) / 1000)}.${String((base + offset + n) % 1000).padStart(3, "0")}-${n}`;
  return [
    MESSY_HEADERS,
    [rut(1), "Juan Pérez", "Retail Express", "1.000,50", 45_962, 3, "9 1234 5678", "22 123 4567"],
    [rut(1), null, null, "2.000", "15/10/2025", 20, null, null],
    [rut(2), "Ana Soto", "Retail Express", 500, "2025-10-01", 0, "+56 9 2345 6789", null],
    [null, "Sin RUT", "Retail Express", "100", "01-10-25", 1, "934567890", null],
    [rut(3), "Luis Rojas", "Retail Express", "750,25", "20/09/25", 40, "12345", "999"],
    [rut(4), "Eva Díaz", "Retail Express", "300", 45_930, 2, null, "2 2765 4321"],
  ];
}

describe("useCases", () => {
  it("lists SpeechAI's use cases as data", async () => {
    const response = await fetch(`${inject("edgeUrl")}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...key() },
      body: JSON.stringify({ query: "{ useCases { id name description requiresRut requiresOffer } }" }),
    });
    const body = (await response.json()) as { data: { useCases: Array<{ id: string; name: string }> } };
    expect(body.data.useCases.map((useCase) => [useCase.id, useCase.name])).toEqual([
      ["debt_collection", "Cobranza de Deudas"],
      ["marketing", "Marketing"],
    ]);
  });
});

describe("importBatch", () => {
  it("previews a messy .xlsx: counts, reasons per row and the cost, writing nothing", async () => {
    const before = await batchRowCounts();
    const result = await preview(
      { fileName: "deudores.xlsx", account: "retail_express" },
      workbookBytes(messySheet(0)),
    );
    expect(result.__typename, JSON.stringify(result)).toBe("MutationPreviewBatchImportSuccess");
    expect(result.data).toEqual({
      fileName: "deudores.xlsx",
      totalRows: 6,
      validRows: 4,
      invalidRows: 2,
      duplicates: 0,
      totalDebtors: 3,
      estimatedCost: 1.41,
      issues: [
        { row: 5, status: "invalid", reasons: ["missing RUT"] },
        { row: 6, status: "invalid", reasons: ['no valid phone number for CL ("12345", "999")'] },
      ],
    });
    expect(await batchRowCounts()).toEqual(before);
  });

  it("creates a batch from an .xls sent as base64, which MiniBotPanel's stats see as a campaign", async () => {
    const response = await viaBase64(
      "importBatch",
      IMPORT,
      { fileName: "octubre.xls", name: "Cobranza octubre", account: "retail_express" },
      workbookBytes(messySheet(100), "xls"),
    );
    const result = resultOf<Outcome>(response, "importBatch");
    expect(result.__typename, JSON.stringify(result)).toBe("MutationImportBatchSuccess");
    const data = result.data as unknown as {
      batchCode: string;
      totalJobs: number;
      estimatedCost: number;
      campaign: { number: number; name: string; batchCode: string; objectId: string; status: string };
    };
    expect(data).toMatchObject({ totalDebtors: 3, totalJobs: 3, estimatedCost: 1.41, duplicatesFound: 0 });
    expect(data.batchCode).toMatch(/^batch-\d{4}-\d{2}-\d{2}-\d{6}-\d{6}$/);
    expect(data.campaign).toMatchObject({ name: "Cobranza octubre", batchCode: data.batchCode, status: "pending" });
    expect(data.campaign.objectId).toMatch(/^[0-9a-f]{24}$/);

    const stats = await rest("GET", `/api/stats/campaign/${data.campaign.number}`, { headers: key() });
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({
      campaign_id: data.campaign.number,
      campaign_name: "Cobranza octubre",
      total: 3,
      status: { pending: 3 },
    });

    const { rows } = await database().query(
      `select c.to_number, c.payload, c.job_code, c.estimated_cost::float as estimated_cost,
              ct.external_ref, ct.first_name, ct.alternate_phones
         from calls c join campaigns k on k.id = c.campaign_id join contacts ct on ct.id = c.contact_id
        where k.number = $1 order by ct.external_ref`,
      [data.campaign.number],
    );
    expect(rows[0]).toMatchObject({
      to_number: "+56912345678",
      alternate_phones: ["+56221234567"],
      first_name: "Juan Pérez",
      estimated_cost: 0.47,
      payload: {
        debt_amount: 3000.5,
        coupons: 2,
        due_date: "2025-11-01",
        days_late: 3,
        fecha_limite: "2025-11-07",
        company_name: "Retail Express",
      },
    });
    expect(rows[0].job_code).toMatch(/^job-[0-9a-f]{16}$/);
    expect(rows.map((row) => row.to_number)).toEqual(["+56912345678", "+56923456789", "+56227654321"]);
  });

  it("drops debtors already in an active batch of the account, and refuses a file with nothing left", async () => {
    const bytes = workbookBytes(messySheet(200));
    expect((await importFile({ fileName: "a.xlsx" }, bytes)).__typename).toBe("MutationImportBatchSuccess");

    const again = await preview({ fileName: "a.xlsx" }, bytes);
    expect(again.data).toMatchObject({ validRows: 0, invalidRows: 2, duplicates: 4, totalDebtors: 0 });
    const issues = (again.data as unknown as { issues: Array<{ status: string; reasons: string[] }> }).issues;
    expect(issues.filter((issue) => issue.status === "duplicate")[0]?.reasons[0]).toContain(
      "already in an active batch of account demo",
    );

    const before = await batchRowCounts();
    const refused = await importFile({ fileName: "a.xlsx" }, bytes);
    expect(refused).toMatchObject({ __typename: "BatchFileError", code: "NOTHING_TO_IMPORT" });
    expect(await batchRowCounts()).toEqual(before);

    const allowed = await importFile({ fileName: "a.xlsx", allowDuplicates: true }, bytes);
    expect(allowed.data).toMatchObject({ totalJobs: 3, duplicatesFound: 0 });
    // The debtors were matched to their contacts by RUT, not created again.
    expect((await batchRowCounts()).contacts).toBe(before.contacts);
  });

  it("does not count another account's batches as duplicates", async () => {
    const other = await firstRow<{ code: string }>(
      database(),
      `insert into accounts (org_id, code, name, credit_balance)
       select org_id, 'acc-' || left(md5(random()::text), 12), 'Otra cuenta', 100 from accounts where code = 'retail_express'
       returning code`,
    );
    const bytes = workbookBytes(messySheet(300));
    expect((await importFile({ fileName: "b.xlsx" }, bytes)).__typename).toBe("MutationImportBatchSuccess");
    const elsewhere = await preview({ fileName: "b.xlsx", account: other.code }, bytes);
    expect(elsewhere.data).toMatchObject({ validRows: 4, duplicates: 0, totalDebtors: 3 });
  });

  it("refuses a batch the account cannot pay for, with the figures, writing nothing", async () => {
    const poor = await firstRow<{ code: string }>(
      database(),
      `insert into accounts (org_id, code, name, credit_balance, credit_reserved)
       select org_id, 'acc-' || left(md5(random()::text), 12), 'Cuenta pobre', 1.5, 0.2 from accounts where code = 'retail_express'
       returning code`,
    );
    const before = await batchRowCounts();
    const result = await importFile({ fileName: "c.xlsx", account: poor.code }, workbookBytes(messySheet(400)));
    expect(result).toMatchObject({
      __typename: "InsufficientCreditError",
      code: "INSUFFICIENT_CREDIT",
      required: 1.41,
      available: 1.3,
    });
    expect(await batchRowCounts()).toEqual(before);
  });

  it("answers a corrupt file, an empty sheet and a non-Excel file with a clear error and writes nothing", async () => {
    const before = await batchRowCounts();
    const corrupt = workbookBytes(debtorRows(20, 1, base)).slice(0, 700);
    expect(await importFile({ fileName: "roto.xlsx" }, corrupt)).toMatchObject({
      __typename: "BatchFileError",
      code: "UNREADABLE_FILE",
    });
    expect(await importFile({ fileName: "vacio.xlsx" }, workbookBytes([[]]))).toMatchObject({ code: "EMPTY_FILE" });
    expect(await preview({ fileName: "x.csv" }, new TextEncoder().encode("RUT,Celular\n1-9,912345678"))).toMatchObject({
      code: "UNSUPPORTED_FILE",
    });
    expect(await preview({ fileName: "x.xlsx", useCase: "marketing" }, workbookBytes(messySheet(0)))).toMatchObject({
      __typename: "ValidationError",
    });
    expect(await batchRowCounts()).toEqual(before);
  });

  it("reads Argentinian numbers on the Argentina route's country", async () => {
    const rows = [
      ["DNI", "Nombre", "Celular"],
      [`${base + 500}`, "Ana", "011 15 2345-6789"],
    ];
    const result = await preview({ fileName: "ar.xlsx", country: "AR" }, workbookBytes(rows));
    expect(result.data).toMatchObject({ validRows: 1, totalDebtors: 1 });
  });

  it("keeps organisations apart: another organisation cannot name this one's account", async () => {
    const stranger = await registerUser("batches");
    const response = await multipart(
      "previewBatchImport",
      PREVIEW,
      { fileName: "d.xlsx", account: "retail_express" },
      workbookBytes(messySheet(0)),
      bearer(stranger.accessToken),
    );
    expect(resultOf<Outcome>(response, "previewBatchImport")).toMatchObject({ code: "NOT_FOUND" });
  });
});
