// ragbook task pane behaviour (loaded as a module by xlwings Server's base.html).
// - a status line saying which button is running and when it finished;
// - Roll forward only after "I have saved a copy" is ticked, once per tick;
// - the access token field, when the server uses access tokens.

function setStatus(text) {
  const status = document.getElementById("ragbook-status");
  if (status) {
    status.textContent = text;
  }
}

function errorShown() {
  const alert = document.getElementById("global-error-alert");
  return alert !== null && !alert.classList.contains("d-none");
}

// Excel's own errors that an officer can do something about, in their words.
const EXCEL_ERRORS = [
  {
    pattern: /payload size has exceeded the limit/i,
    text:
      "This workbook is too big for Excel on the web to send to ragbook in one go " +
      "(Excel on the web sends at most 5 MB at a time). Open it in the Excel app for " +
      "Windows or Mac and click the button there, or ask IT to run ragbook on the file.",
  },
];

function explainError() {
  const span = document.querySelector("#global-error-alert span");
  if (!span) {
    return;
  }
  const known = EXCEL_ERRORS.find((error) => error.pattern.test(span.textContent));
  if (known) {
    span.textContent = known.text;
  }
}

function watchScriptButtons() {
  document.querySelectorAll("[xw-click]").forEach((button) => {
    const label = button.textContent.trim();
    let running = false;
    button.addEventListener("click", () => {
      running = true;
      setStatus(`Running ${label}…`);
    });
    // xlwings disables the button while the script runs and enables it again after.
    new MutationObserver(() => {
      if (running && !button.hasAttribute("disabled")) {
        running = false;
        const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
        if (errorShown()) {
          explainError();
        }
        setStatus(
          errorShown()
            ? `${label} did not finish (${time}): see the message at the top.`
            : `${label} finished at ${time}.`,
        );
        button.dispatchEvent(new CustomEvent("ragbook:finished"));
      }
    }).observe(button, { attributes: true, attributeFilter: ["disabled"] });
  });
}

function guardRollForward() {
  const confirm = document.getElementById("ragbook-roll-confirm");
  const button = document.getElementById("ragbook-roll-forward");
  if (!confirm || !button) {
    return;
  }
  const sync = () => {
    if (confirm.checked) {
      button.removeAttribute("disabled");
    } else {
      button.setAttribute("disabled", "true");
    }
  };
  confirm.addEventListener("change", sync);
  button.addEventListener("ragbook:finished", () => {
    confirm.checked = false;
    sync();
  });
  sync();
}

function tokenField() {
  const field = document.getElementById("ragbook-token");
  const save = document.getElementById("ragbook-token-save");
  if (!field || !save || !globalThis.ragbookToken) {
    return;
  }
  field.placeholder = globalThis.ragbookToken.get() ? "saved (type to replace)" : "not set";
  save.addEventListener("click", () => {
    const saved = globalThis.ragbookToken.set(field.value.trim());
    field.value = "";
    field.placeholder = globalThis.ragbookToken.get() ? "saved (type to replace)" : "not set";
    setStatus(saved ? "Access token saved on this computer." : "Could not save the token here.");
  });
}

function start() {
  watchScriptButtons();
  guardRollForward();
  tokenField();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
