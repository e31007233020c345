// The token of the link that opened the page (?token=…), taken out of the
// address bar before anything else runs (the page's texts are still on
// their way), so it is neither bookmarked, shared nor kept in history.
// Imported first by the pages that take one.
const params = new URLSearchParams(location.search);

export const linkToken = params.get("token");
export const hadToken = params.has("token");

if (hadToken) {
  params.delete("token");
  const rest = params.toString();
  history.replaceState(history.state, "", `${location.pathname}${rest ? `?${rest}` : ""}`);
}
