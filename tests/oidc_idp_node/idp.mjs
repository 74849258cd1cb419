// A real OpenID Connect provider for the console federated sign-in tests: the certified
// `oidc-provider` package (pinned in package.json), served over TLS.
// Configuration from the environment:
//   IDP_PORT, IDP_CERT, IDP_KEY (PEM files), IDP_CLIENTS (JSON list of oidc-provider client
//   metadata: client_id, client_secret, redirect_uris).
// Interactions are oidc-provider's devInteractions (its default login and consent pages): the
// login typed there is the account id, and the ID token's `sub`.
// Prints "listening <issuer>" on stdout once it accepts connections.
import fs from "node:fs";
import https from "node:https";
import Provider from "oidc-provider";

const port = Number(process.env.IDP_PORT);
const issuer = `https://localhost:${port}`;
const clients = JSON.parse(process.env.IDP_CLIENTS).map((c) => ({
  response_types: ["code"],
  grant_types: ["authorization_code"],
  token_endpoint_auth_method: "client_secret_basic",
  ...c,
}));

const provider = new Provider(issuer, {
  clients,
  pkce: { required: () => true },
  cookies: { keys: ["iamconsole-test-cookie-key"] },
  features: { devInteractions: { enabled: true } },
  claims: { openid: ["sub"] },
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return { sub: id }; } };
  },
});
provider.proxy = false;

const server = https.createServer(
  { cert: fs.readFileSync(process.env.IDP_CERT), key: fs.readFileSync(process.env.IDP_KEY) },
  provider.callback(),
);
server.listen(port, "127.0.0.1", () => {
  process.stdout.write(`listening ${issuer}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
