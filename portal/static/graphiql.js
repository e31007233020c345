// Starts GraphiQL (served by the app from portal/vendor/files/) against this
// server's /graphql, over HTTP for queries and mutations and over
// graphql-transport-ws for subscriptions. Credentials go in the Headers tab:
// {"Authorization": "Bearer <token>"}; they are not kept after the tab closes.
const WELCOME = `# GraphiQL for clinicportal. Run a query with Ctrl-Enter or the play button.
# The demo clinic's public face:
{
  clinic(slug: "demo") {
    name
    timezone
    treatments { id name durationMinutes price { amount currency } }
  }
}
`;

// The <style> elements GraphiQL's dialogs add carry the nonce the page's
// Content-Security-Policy names (the library reads it from this global).
window.__webpack_nonce__ = document.currentScript.nonce;

const endpoint = new URL("/graphql", location.href);
const live = new URL(endpoint);
live.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";

const fetcher = GraphiQL.createFetcher({ url: endpoint.href, subscriptionUrl: live.href });

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: WELCOME,
    defaultEditorToolsVisibility: true,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
    inputValueDeprecation: true,
  }),
);
