// A real OpenID Connect provider for the Dashboard's single sign-on tests: npm oidc-provider (the certified
// implementation) on loopback, one confidential client, and static accounts whose claims the tests choose.
//
//   node tests/oidc/provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI [POST_LOGOUT_URI]
//
// Issuer: http://127.0.0.1:PORT. Sign-in is a plain form (`Username`, `Password`, button `Sign in`); every account's
// password is "provider-password". The claims go into the ID token, as Amazon Cognito puts them there.
import http from "node:http";
import Provider from "oidc-provider";

const [port, clientId, clientSecret, redirectUri, postLogoutUri] = process.argv.slice(2);
if (!port || !clientId || !clientSecret || !redirectUri) {
  console.error("usage: provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI [POST_LOGOUT_URI]");
  process.exit(2);
}

const password = "provider-password";
const accounts = {
  "admin@corp.test": { email_verified: true, groups: ["liveinsight-admins", "staff"] },
  "viewer@corp.test": { email_verified: true, groups: ["staff"] },
  "unverified@corp.test": { email_verified: false, groups: ["liveinsight-admins"] },
};

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: postLogoutUri ? [postLogoutUri] : [],
    grant_types: ["authorization_code"],
    response_types: ["code"],
  }],
  // Groups come with `openid`, as Cognito puts cognito:groups in every ID token whatever the scopes.
  claims: { openid: ["sub", "groups"], email: ["email", "email_verified"] },
  scopes: ["openid", "email", "profile"],
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ["liveinsight-test-provider-cookie-key"] },
  async findAccount(_ctx, id) {
    const account = accounts[id];
    return account && {
      accountId: id,
      claims: async () => ({ sub: id, email: id, ...account }),
    };
  },
  // Consent is not what these tests are about: every client gets the scopes it asked for.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope);
    await grant.save();
    return grant;
  },
});
provider.on("server_error", (_ctx, error) => console.error("server_error", error));

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const form = (uid, error) => `<!doctype html><title>Test provider</title>
<h1>Test provider sign-in</h1>${error ? `<p role="alert">${escape(error)}</p>` : ""}
<form method="post" action="/interaction/${escape(uid)}">
<label>Username <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button></form>`;

async function readForm(req) {
  let body = "";
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error("body too large");
  }
  return new URLSearchParams(body);
}

const callback = provider.callback();
http.createServer(async (req, res) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(req.url ?? "");
  if (!match) {
    return callback(req, res);
  }
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === "GET") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(form(details.uid));
      return;
    }
    const fields = await readForm(req);
    const username = fields.get("username") ?? "";
    if (!accounts[username] || fields.get("password") !== password) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(form(details.uid, "Wrong username or password"));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: username } }, { mergeWithLastSubmission: false });
  } catch (error) {
    console.error("interaction", error);
    res.writeHead(400).end(String(error));
  }
}).listen(Number(port), "127.0.0.1", () => console.log(`oidc provider on ${issuer}`));
