// GraphQL over HTTP at the same origin, and the few helpers every page needs.

export class GraphQLError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join("; "));
    this.errors = errors;
    this.code = errors[0]?.extensions?.code || null;
  }
  // The server does not know a field yet (an older server than this page).
  get unknownField() {
    return this.errors.some((e) => /Cannot query field/.test(e.message));
  }
}

export async function gql(query, variables = {}, token = null) {
  const headers = { "content-type": "application/json", accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new Error("Can't reach the server. Check your connection and try again.");
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Error(`The server answered ${response.status}. Please try again.`);
  }
  if (body.errors?.length) throw new GraphQLError(body.errors);
  return body.data;
}

// A query whose fields the server may not have yet: null instead of an error.
export async function optional(query, variables = {}, token = null) {
  try {
    return await gql(query, variables, token);
  } catch (error) {
    if (error instanceof GraphQLError && error.unknownField) return null;
    throw error;
  }
}

// The first user error of a mutation payload as a message (or null).
export function userError(payload) {
  const error = payload?.userErrors?.[0];
  return error ? { code: error.code, message: error.message, field: error.field } : null;
}

// Tokens live in sessionStorage only: gone when the tab closes, never in a URL.
export const store = {
  get(key) {
    try {
      return JSON.parse(sessionStorage.getItem(`clinicportal:${key}`));
    } catch {
      return null;
    }
  },
  set(key, value) {
    sessionStorage.setItem(`clinicportal:${key}`, JSON.stringify(value));
  },
  remove(key) {
    sessionStorage.removeItem(`clinicportal:${key}`);
  },
};

// A stored session, unless it has expired.
export function session(key) {
  const saved = store.get(key);
  if (!saved?.token) return null;
  if (saved.expiresAt && Date.parse(saved.expiresAt) <= Date.now()) {
    store.remove(key);
    return null;
  }
  return saved;
}
