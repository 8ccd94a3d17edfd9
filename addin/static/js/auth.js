// ragbook: how the add-in proves who is calling (replaces xlwings Server's auth.js).
//
// - Entra ID (XLWINGS_AUTH_PROVIDERS=["entraid"]): Office single sign-on, as in
//   xlwings Server.
// - Access tokens (XLWINGS_AUTH_PROVIDERS=["custom"]): the token IT gave the
//   officer, typed once into the task pane and kept in this browser profile's
//   local storage (never in the workbook, which gets emailed around).
// - No provider: nothing is sent.
const RAGBOOK_TOKEN_KEY = "ragbook-access-token";

globalThis.ragbookToken = {
  get() {
    try {
      return globalThis.localStorage.getItem(RAGBOOK_TOKEN_KEY) || "";
    } catch (error) {
      return "";
    }
  },
  set(token) {
    try {
      if (token) {
        globalThis.localStorage.setItem(RAGBOOK_TOKEN_KEY, token);
      } else {
        globalThis.localStorage.removeItem(RAGBOOK_TOKEN_KEY);
      }
      return true;
    } catch (error) {
      return false;
    }
  },
};

globalThis.getAuth = async function () {
  const providers = (globalThis.config && config.authProviders) || [];
  if (providers.includes("entraid")) {
    const token = await xlwings.getAccessToken();
    return { token: token, provider: "entraid" };
  }
  if (providers.includes("custom")) {
    return { token: globalThis.ragbookToken.get(), provider: "custom" };
  }
  return { token: "", provider: "" };
};
