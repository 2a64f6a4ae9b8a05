import { type Client, createClient } from "graphql-sse";
import { authHeaders, type Session } from "./session.js";

/**
 * The edge's GraphQL API from the page: queries and mutations over fetch, subscriptions with the graphql-sse client
 * (distinct connections mode, Yoga's SSE). Both carry the session's credentials, refreshing a user's access token
 * shortly before it expires.
 */

const GRAPHQL_PATH = "/graphql";
/** Refresh this long before the access token expires, so a request never leaves with a dying token. */
const REFRESH_MARGIN_MS = 60_000;

type GraphqlError = { message: string; extensions?: { code?: string } };
type GraphqlResponse<T> = { data?: T | null; errors?: GraphqlError[] };

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

const isUnauthenticated = (error: unknown) =>
  error instanceof ApiError && (error.code === "UNAUTHENTICATED" || error.code === "INVALID_CREDENTIALS");

type AuthPayload = { accessToken: string; refreshToken: string; expiresIn: number };
const TOKENS = "data { accessToken refreshToken expiresIn }";
const authResult = (success: string) => `__typename ... on Error { message code } ... on ${success} { ${TOKENS} }`;

export class Api {
  private session: Session | null;
  private refreshing: Promise<void> | null = null;
  private sse: Client | null = null;

  constructor(
    session: Session | null,
    private readonly onSessionChange: (session: Session | null) => void,
  ) {
    this.session = session;
  }

  get signedIn(): Session | null {
    return this.session;
  }

  async login(email: string, password: string): Promise<void> {
    const result = await this.post<{ login: { __typename: string; message?: string; data?: AuthPayload } }>(
      `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { ${authResult("MutationLoginSuccess")} } }`,
      { email, password },
      {},
    );
    const payload = result.login.data;
    if (!payload) throw new ApiError(result.login.message ?? "Login refused", result.login.__typename);
    this.setSession({ kind: "user", email, ...tokens(payload) });
  }

  /** An API key (sb_live_…) or the legacy API password: both travel as X-API-Key. Checked before it is kept. */
  async useApiKey(key: string): Promise<void> {
    const candidate: Session = { kind: "apiKey", key };
    await this.post("{ viewer { organization { id } } }", {}, authHeaders(candidate));
    this.setSession(candidate);
  }

  signOut(): void {
    this.setSession(null);
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    try {
      return await this.post<T>(query, variables, await this.headers());
    } catch (error) {
      if (isUnauthenticated(error)) this.signOut();
      throw error;
    }
  }

  /** GET on one of the REST surfaces, with the same credentials; null when it answers 404. */
  async getJson<T>(path: string): Promise<T | null> {
    const response = await fetch(path, { headers: { accept: "application/json", ...(await this.headers()) } });
    if (response.status === 404) return null;
    if (!response.ok) throw new ApiError(`GET ${path}: HTTP ${response.status}`, `HTTP_${response.status}`);
    return (await response.json()) as T;
  }

  /** Subscribes; returns the unsubscribe. `onError` hears refusals and dropped streams. */
  subscribe<T>(
    query: string,
    variables: Record<string, unknown>,
    onData: (data: T) => void,
    onError: (error: Error) => void,
  ): () => void {
    this.sse ??= createClient({
      url: new URL(GRAPHQL_PATH, location.href).href,
      headers: () => this.headers(),
      singleConnection: false,
    });
    return this.sse.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors?.length) onError(toApiError(result.errors));
          else if (result.data) onData(result.data as T);
        },
        error: (error) => onError(error instanceof Error ? error : toApiError(error as GraphqlError[])),
        complete: () => {},
      },
    );
  }

  private setSession(session: Session | null): void {
    this.session = session;
    if (!session) {
      this.sse?.dispose();
      this.sse = null;
    }
    this.onSessionChange(session);
  }

  private async headers(): Promise<Record<string, string>> {
    const session = this.session;
    if (!session) return {};
    if (session.kind === "user" && session.expiresAt - Date.now() < REFRESH_MARGIN_MS) {
      this.refreshing ??= this.refresh(session.refreshToken).finally(() => {
        this.refreshing = null;
      });
      await this.refreshing;
    }
    return this.session ? authHeaders(this.session) : {};
  }

  private async refresh(refreshToken: string): Promise<void> {
    const result = await this.post<{ refresh: { message?: string; data?: AuthPayload } }>(
      `mutation ($refreshToken: String!) { refresh(refreshToken: $refreshToken) { ${authResult("MutationRefreshSuccess")} } }`,
      { refreshToken },
      {},
    );
    const current = this.session;
    if (!result.refresh.data || current?.kind !== "user") {
      this.signOut();
      throw new ApiError(result.refresh.message ?? "Session expired", "UNAUTHENTICATED");
    }
    this.setSession({ ...current, ...tokens(result.refresh.data) });
  }

  private async post<T>(query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
    const response = await fetch(GRAPHQL_PATH, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json().catch(() => ({}))) as GraphqlResponse<T>;
    if (body.errors?.length) throw toApiError(body.errors);
    if (!response.ok || !body.data) throw new ApiError(`HTTP ${response.status}`, `HTTP_${response.status}`);
    return body.data;
  }
}

function tokens(payload: AuthPayload) {
  return {
    accessToken: payload.accessToken,
    refreshToken: payload.refreshToken,
    expiresAt: Date.now() + payload.expiresIn * 1000,
  };
}

function toApiError(errors: readonly GraphqlError[]): ApiError {
  const first = errors[0];
  return new ApiError(errors.map((error) => error.message).join("; ") || "Request failed", first?.extensions?.code);
}
