// ragbook ribbon buttons. Each key is a <FunctionName> in templates/manifest.xml;
// each value is the Python script it runs (see custom_scripts/__init__.py).
// The button sends the workbook to the ragbook server and applies the changes
// the script sends back; errors and messages appear in a dialog.
const RAGBOOK_RIBBON_SCRIPTS = {
  "ragbook-recalculate-rag": "recalculate_rag",
  "ragbook-check-milestones": "check_milestones",
  "ragbook-build-appendix": "build_appendix",
  "ragbook-roll-forward": "roll_forward",
};

async function ragbookRunScript(scriptName, event) {
  try {
    const authResult =
      typeof globalThis.getAuth === "function"
        ? await globalThis.getAuth()
        : { token: "", provider: "" };
    await xlwings.runPython({
      scriptName: scriptName,
      auth: authResult.token,
      headers: { "Auth-Provider": authResult.provider },
    });
  } finally {
    // Office keeps the button busy until this is called.
    event.completed();
  }
}

for (const [functionName, scriptName] of Object.entries(RAGBOOK_RIBBON_SCRIPTS)) {
  Office.actions.associate(functionName, (event) => ragbookRunScript(scriptName, event));
}
