"""The reference portal, booking page and practitioner calendar: static
HTML, CSS and JavaScript modules served by the app, talking to `/graphql`
like any other client."""
