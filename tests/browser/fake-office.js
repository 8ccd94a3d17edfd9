// A fake Excel for the add-in's browser tests: a small workbook model behind the part of the
// Office JavaScript API that xlwings Server's client and ragbook's own scripts call.
//
// It is served in place of office.js (tests/fake_excel.py routes the request), so the real
// client code runs unchanged. It keeps Office.js's proxy rules:
// - a property is readable only after load() and context.sync(); reading it earlier throws
//   PropertyNotLoaded, as Office.js does;
// - writes, method calls and loads are queued and run in order at sync(); a failing one
//   stops the batch there, leaving the ones before it applied;
// - *OrNullObject results report isNullObject after the next sync;
// - Excel on the web's limit of 5 MB per request and per response is enforced
//   (RequestPayloadSizeLimitExceeded / ResponsePayloadSizeLimitExceeded).
// Anything the fake does not model throws "Fake Excel does not model ...", so a client
// upgrade that calls something new fails the tests loudly rather than passing quietly.
//
// State in:  globalThis.__FAKE_EXCEL_STATE__ (set before the page loads; fake_excel.py writes it
//            from a plan file). State out: fakeExcel.snapshot(). See fake_excel.py for the shape.
(function () {
  "use strict";

  const PAYLOAD_LIMIT = 5 * 1024 * 1024;
  const MAX_ROWS = 1048576;
  const MAX_COLUMNS = 16384;
  const STANDARD_HEIGHT = 15;
  const STANDARD_WIDTH = 48;
  // Excel on the web, as the tests need it: notes (1.18) and everything before.
  // Requirement set names are not case-sensitive.
  const SUPPORTED = { excelapi: [1, 18], customfunctionsruntime: [1, 4], sharedruntime: [1, 1], ribbonapi: [1, 1], dialogapi: [1, 2] };

  class FakeOfficeError extends Error {
    constructor(code, message) {
      super(message);
      this.name = "RichApi.Error";
      this.code = code;
      this.debugInfo = { code, message };
    }
  }

  const MESSAGES = {
    PropertyNotLoaded: (name) =>
      `The property '${name}' is not available. Before reading the property's value, call ` +
      `the load method on the containing object and call "context.sync()" on the associated ` +
      `request context.`,
    RequestPayloadSizeLimitExceeded: () =>
      "The request payload size has exceeded the limit. Please refer to the documentation: " +
      "https://docs.microsoft.com/office/dev/add-ins/concepts/resource-limits-and-performance-optimization#excel-add-ins.",
    ResponsePayloadSizeLimitExceeded: () =>
      "The response payload size has exceeded the limit. Please refer to the documentation: " +
      "https://docs.microsoft.com/office/dev/add-ins/concepts/resource-limits-and-performance-optimization#excel-add-ins.",
  };

  function fail(code, message) {
    throw new FakeOfficeError(code, message || (MESSAGES[code] ? MESSAGES[code]() : code));
  }

  function notModelled(what) {
    throw new Error(`Fake Excel does not model ${what}`);
  }

  // --- addresses ------------------------------------------------------------------------------

  function columnLetters(index) {
    let letters = "";
    let n = index + 1;
    while (n > 0) {
      const rest = (n - 1) % 26;
      letters = String.fromCharCode(65 + rest) + letters;
      n = Math.floor((n - 1) / 26);
    }
    return letters;
  }

  function columnIndex(letters) {
    let n = 0;
    for (const char of letters.toUpperCase()) n = n * 26 + (char.charCodeAt(0) - 64);
    return n - 1;
  }

  function quoteSheet(name) {
    return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) && !/^[A-Za-z]{1,3}[0-9]+$/.test(name)
      ? name
      : `'${name.replace(/'/g, "''")}'`;
  }

  function splitSheet(address) {
    const bang = address.lastIndexOf("!");
    if (bang < 0) return [null, address];
    let sheet = address.slice(0, bang);
    if (sheet.startsWith("'")) sheet = sheet.slice(1, -1).replace(/''/g, "'");
    return [sheet, address.slice(bang + 1)];
  }

  // "A1", "$B$5:$E$9", "A:C", "2:4" -> {r, c, nr, nc}
  function parseArea(text) {
    const clean = text.replace(/\$/g, "").trim();
    const parts = clean.split(":");
    if (parts.length > 2) fail("InvalidArgument", `The argument is invalid: ${text}`);
    const cell = (part) => {
      let m = /^([A-Za-z]{1,3})([0-9]+)$/.exec(part);
      if (m) return { r: Number(m[2]) - 1, c: columnIndex(m[1]) };
      m = /^([A-Za-z]{1,3})$/.exec(part);
      if (m) return { r: null, c: columnIndex(m[1]) };
      m = /^([0-9]+)$/.exec(part);
      if (m) return { r: Number(m[1]) - 1, c: null };
      fail("InvalidArgument", `The argument is invalid or missing or has an incorrect format: ${text}`);
    };
    const first = cell(parts[0]);
    const last = parts.length === 2 ? cell(parts[1]) : first;
    const r0 = first.r === null ? 0 : first.r;
    const r1 = last.r === null ? MAX_ROWS - 1 : last.r;
    const c0 = first.c === null ? 0 : first.c;
    const c1 = last.c === null ? MAX_COLUMNS - 1 : last.c;
    return { r: Math.min(r0, r1), c: Math.min(c0, c1), nr: Math.abs(r1 - r0) + 1, nc: Math.abs(c1 - c0) + 1 };
  }

  function areaAddress(area) {
    const first = columnLetters(area.c) + (area.r + 1);
    if (area.nr === 1 && area.nc === 1) return first;
    if (area.nr === MAX_ROWS) return `${columnLetters(area.c)}:${columnLetters(area.c + area.nc - 1)}`;
    if (area.nc === MAX_COLUMNS) return `${area.r + 1}:${area.r + area.nr}`;
    return `${first}:${columnLetters(area.c + area.nc - 1)}${area.r + area.nr}`;
  }

  const key = (r, c) => `${r},${c}`;

  // --- the workbook model -----------------------------------------------------------------------

  function newFormat() {
    return {
      fill: null,
      font: { name: "Calibri", size: 11, color: "#000000", bold: false, italic: false, underline: "None" },
      horizontalAlignment: "General",
      verticalAlignment: "Bottom",
      wrapText: false,
      borders: {},
    };
  }

  class Cell {
    constructor() {
      this.value = "";
      this.formula = null;
      this.numberFormat = "General";
      this.format = newFormat();
      this.hyperlink = null;
    }
    get empty() {
      return this.value === "" && this.formula === null;
    }
  }

  let nextId = 1;

  class SheetModel {
    constructor(book, name) {
      this.book = book;
      this.id = `{fake-sheet-${nextId++}}`;
      this.name = name;
      this.visibility = "Visible";
      this.showGridlines = true;
      this.cells = new Map();
      this.rowHeights = new Map();
      this.columnWidths = new Map();
      this.merges = [];
      this.tables = [];
      this.charts = [];
      this.notes = new Map();
      this.names = [];
      this.printArea = null;
      this.deleted = false;
    }
    cell(r, c, create = true) {
      const k = key(r, c);
      let cell = this.cells.get(k);
      if (!cell && create) {
        cell = new Cell();
        this.cells.set(k, cell);
      }
      return cell;
    }
    get position() {
      return this.book.sheets.indexOf(this);
    }
    usedArea(valuesOnly) {
      let r0 = Infinity, c0 = Infinity, r1 = -1, c1 = -1;
      for (const [k, cell] of this.cells) {
        if (valuesOnly && cell.empty) continue;
        const [r, c] = k.split(",").map(Number);
        r0 = Math.min(r0, r); c0 = Math.min(c0, c);
        r1 = Math.max(r1, r); c1 = Math.max(c1, c);
      }
      if (r1 < 0) return null;
      return { r: r0, c: c0, nr: r1 - r0 + 1, nc: c1 - c0 + 1 };
    }
  }

  class BookModel {
    constructor(state) {
      this.name = state.name || "Book1.xlsx";
      this.calculationMode = state.calculation || "Automatic";
      this.sheets = [];
      this.names = [];
      this.dialogs = [];
      for (const sheetState of state.sheets || []) this.sheets.push(loadSheet(this, sheetState));
      if (this.sheets.length === 0) this.sheets.push(new SheetModel(this, "Sheet1"));
      this.active = this.sheets[state.active_sheet || 0] || this.sheets[0];
      this.selection = { sheet: this.active, area: parseArea(state.selection || "A1") };
      for (const name of state.names || []) this.names.push({ ...name });
    }
    sheet(name) {
      return this.sheets.find((s) => s.name.toLowerCase() === String(name).toLowerCase());
    }
    allTables() {
      return this.sheets.flatMap((s) => s.tables);
    }
  }

  function loadSheet(book, state) {
    const sheet = new SheetModel(book, state.name);
    sheet.visibility = state.visibility || "Visible";
    sheet.showGridlines = state.show_gridlines !== false;
    for (const [address, spec] of Object.entries(state.cells || {})) {
      const { r, c } = parseArea(address);
      const cell = sheet.cell(r, c);
      if ("value" in spec) cell.value = spec.value;
      if ("formula" in spec) cell.formula = spec.formula;
      if ("number_format" in spec) cell.numberFormat = spec.number_format;
      if (spec.fill) cell.format.fill = spec.fill;
      if (spec.font) Object.assign(cell.format.font, spec.font);
      if (spec.horizontal) cell.format.horizontalAlignment = spec.horizontal;
      if (spec.vertical) cell.format.verticalAlignment = spec.vertical;
      if (spec.wrap) cell.format.wrapText = true;
      if (spec.borders) cell.format.borders = { ...spec.borders };
      if (spec.hyperlink) cell.hyperlink = { ...spec.hyperlink };
    }
    for (const [row, height] of Object.entries(state.row_heights || {})) sheet.rowHeights.set(Number(row) - 1, height);
    for (const [column, width] of Object.entries(state.column_widths || {})) sheet.columnWidths.set(columnIndex(column), width);
    sheet.merges = (state.merges || []).map(parseArea);
    for (const [address, note] of Object.entries(state.notes || {})) {
      const { r, c } = parseArea(address);
      sheet.notes.set(key(r, c), { content: note.content || "", author: note.author || "" });
    }
    sheet.printArea = state.print_area || null;
    for (const table of state.tables || []) {
      sheet.tables.push({
        id: `{fake-table-${nextId++}}`,
        sheet,
        name: table.name,
        area: parseArea(table.range),
        showHeaders: table.show_headers !== false,
        showTotals: Boolean(table.show_totals),
        style: table.style || "TableStyleMedium2",
        showFilterButton: table.show_filter_button !== false,
        highlightFirstColumn: Boolean(table.highlight_first_column),
        highlightLastColumn: Boolean(table.highlight_last_column),
        showBandedRows: table.show_banded_rows !== false,
        showBandedColumns: Boolean(table.show_banded_columns),
      });
    }
    sheet.names = (state.names || []).map((n) => ({ ...n }));
    return sheet;
  }

  function cellSnapshot(cell) {
    const out = {};
    if (cell.value !== "") out.value = cell.value;
    if (cell.formula !== null) out.formula = cell.formula;
    if (cell.numberFormat !== "General") out.number_format = cell.numberFormat;
    const f = cell.format;
    const base = newFormat();
    if (f.fill) out.fill = f.fill;
    const font = {};
    for (const [k, v] of Object.entries(f.font)) if (v !== base.font[k]) font[k] = v;
    if (Object.keys(font).length) out.font = font;
    if (f.horizontalAlignment !== "General") out.horizontal = f.horizontalAlignment;
    if (f.verticalAlignment !== "Bottom") out.vertical = f.verticalAlignment;
    if (f.wrapText) out.wrap = true;
    if (Object.keys(f.borders).length) out.borders = f.borders;
    if (cell.hyperlink) out.hyperlink = cell.hyperlink;
    return out;
  }

  function snapshot(book) {
    return {
      name: book.name,
      active_sheet: book.active.position,
      selection: `${book.selection.sheet.name}!${areaAddress(book.selection.area)}`,
      calculation: book.calculationMode,
      names: book.names,
      sheets: book.sheets.map((sheet) => {
        const cells = {};
        for (const [k, cell] of sheet.cells) {
          const [r, c] = k.split(",").map(Number);
          const snap = cellSnapshot(cell);
          if (Object.keys(snap).length) cells[columnLetters(c) + (r + 1)] = snap;
        }
        const notes = {};
        for (const [k, note] of sheet.notes) {
          const [r, c] = k.split(",").map(Number);
          notes[columnLetters(c) + (r + 1)] = note;
        }
        return {
          name: sheet.name,
          visibility: sheet.visibility,
          show_gridlines: sheet.showGridlines,
          print_area: sheet.printArea,
          cells,
          notes,
          row_heights: Object.fromEntries([...sheet.rowHeights].map(([r, h]) => [r + 1, h])),
          column_widths: Object.fromEntries([...sheet.columnWidths].map(([c, w]) => [columnLetters(c), w])),
          merges: sheet.merges.map(areaAddress),
          tables: sheet.tables.map((t) => ({
            name: t.name, range: areaAddress(t.area), show_headers: t.showHeaders,
            show_totals: t.showTotals, style: t.style, columns: tableColumns(t),
          })),
          charts: sheet.charts.map((chart) => ({
            name: chart.name, chart_type: chart.chartType, source: chart.source,
            series_by: chart.seriesBy, left: chart.left, top: chart.top, width: chart.width,
            height: chart.height, style: chart.style, title: chart.title, legend: chart.legend,
            series: chart.series,
          })),
        };
      }),
    };
  }

  function tableColumns(table) {
    const names = [];
    for (let i = 0; i < table.area.nc; i += 1) {
      const cell = table.sheet.cell(table.area.r, table.area.c + i, false);
      names.push(table.showHeaders && cell && cell.value !== "" ? String(cell.value) : `Column${i + 1}`);
    }
    return names;
  }

  // --- ranges as the model sees them ------------------------------------------------------------

  function overlaps(a, b) {
    return a.r < b.r + b.nr && b.r < a.r + a.nr && a.c < b.c + b.nc && b.c < a.c + a.nc;
  }

  function eachCell(area, fn) {
    for (let i = 0; i < area.nr; i += 1) for (let j = 0; j < area.nc; j += 1) fn(area.r + i, area.c + j, i, j);
  }

  function cellCount(area) {
    return area.nr * area.nc;
  }

  function boundedArea(sheet, area) {
    // Reads of whole rows or columns see only the part of the sheet in use.
    if (area.nr < MAX_ROWS && area.nc < MAX_COLUMNS) return area;
    const used = sheet.usedArea(false) || { r: 0, c: 0, nr: 1, nc: 1 };
    const r1 = Math.min(area.r + area.nr, used.r + used.nr);
    const c1 = Math.min(area.c + area.nc, used.c + used.nc);
    return { r: area.r, c: area.c, nr: Math.max(1, r1 - area.r), nc: Math.max(1, c1 - area.c) };
  }

  function matrix(sheet, area, read) {
    const bounded = boundedArea(sheet, area);
    if (cellCount(bounded) > 5000000) fail("ResponsePayloadSizeLimitExceeded");
    const rows = [];
    for (let i = 0; i < area.nr; i += 1) {
      const row = [];
      for (let j = 0; j < area.nc; j += 1) row.push(read(sheet.cell(area.r + i, area.c + j, false), area.r + i, area.c + j));
      rows.push(row);
    }
    return rows;
  }

  function uniform(sheet, area, read) {
    let first;
    let seen = false;
    const bounded = boundedArea(sheet, area);
    for (let i = 0; i < bounded.nr; i += 1) {
      for (let j = 0; j < bounded.nc; j += 1) {
        const cell = sheet.cell(bounded.r + i, bounded.c + j, false) || new Cell();
        const value = read(cell, bounded.r + i, bounded.c + j);
        if (!seen) {
          first = value;
          seen = true;
        } else if (JSON.stringify(value) !== JSON.stringify(first)) {
          return null;
        }
      }
    }
    return first;
  }

  function broadcast(area, value, what) {
    // Office.js takes a single value, or a 1x1 matrix, for every cell; otherwise the shape must match.
    if (!Array.isArray(value)) return () => value;
    if (value.length === 1 && Array.isArray(value[0]) && value[0].length === 1) return () => value[0][0];
    if (value.length !== area.nr || value.some((row) => !Array.isArray(row) || row.length !== area.nc)) {
      fail("InvalidArgument",
        `The number of rows or columns in the input array doesn't match the size or dimensions of the range (${what}).`);
    }
    return (i, j) => value[i][j];
  }

  // What Excel makes of a value written to a cell, as if typed (en-GB): a leading apostrophe
  // keeps text as it is; "=" starts a formula; numbers, percentages, dates, TRUE/FALSE and
  // error values are converted, and a General cell gets the format Excel would give it.
  const ERROR_VALUES = ["#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"];
  const NUMBER_TEXT = /^\s*([+-]?)(\d{1,3}(?:,\d{3})+|\d*)(\.\d*)?(?:[eE]([+-]?\d+))?\s*(%?)\s*$/;
  const ISO_DATE = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$/;
  const UK_DATE = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})\s*$/;

  function serial(year, month, day, hours = 0, minutes = 0, seconds = 0) {
    const date = Date.UTC(year, month - 1, day, hours, minutes, seconds);
    const check = new Date(date);
    if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
    return (date - Date.UTC(1899, 11, 30)) / 86400000;
  }

  function typed(text, numberFormat) {
    // A Text cell keeps what it is given as it is, a leading apostrophe included; elsewhere
    // the apostrophe is a prefix that keeps the rest as text.
    if (numberFormat === "@") return { value: text };
    if (text.startsWith("'")) return { value: text.slice(1) };
    if (text.startsWith("=")) return { formula: text };
    if (/^\s*(TRUE|FALSE)\s*$/i.test(text)) return { value: /TRUE/i.test(text) };
    if (ERROR_VALUES.includes(text.trim().toUpperCase())) return { value: text.trim().toUpperCase() };
    const number = NUMBER_TEXT.exec(text);
    if (number && (number[2] || number[3]) && (number[2] !== "" || number[3] !== ".")) {
      let value = Number(`${number[1]}${number[2].replace(/,/g, "")}${number[3] || ""}${number[4] ? "e" + number[4] : ""}`);
      if (Number.isFinite(value)) {
        if (number[5]) {
          value /= 100;
          const places = number[3] ? number[3].length - 1 : 0;
          return { value, format: places ? `0.${"0".repeat(places)}%` : "0%" };
        }
        return { value, format: number[2].includes(",") ? "#,##0" + (number[3] && number[3].length > 1 ? "." + "0".repeat(number[3].length - 1) : "") : null };
      }
    }
    let m = ISO_DATE.exec(text);
    if (m) {
      const value = serial(+m[1], +m[2], +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0));
      if (value !== null) return { value, format: m[4] ? "dd/mm/yyyy hh:mm" : "dd/mm/yyyy" };
    }
    m = UK_DATE.exec(text);
    if (m) {
      const year = m[3].length === 2 ? 2000 + Number(m[3]) - (Number(m[3]) >= 30 ? 100 : 0) : Number(m[3]);
      const value = serial(year, +m[2], +m[1]);
      if (value !== null) return { value, format: "dd/mm/yyyy" };
    }
    if (/^\s*[+-]/.test(text) && text.trim().length > 1) return { formula: "=" + text.trim().slice(1), value: "#NAME?" };
    return { value: text };
  }

  function writeValue(cell, value) {
    if (value === null || value === undefined) return; // null leaves the cell as it is
    if (typeof value !== "string") {
      if (typeof value !== "number" && typeof value !== "boolean") fail("InvalidArgument", `The argument is invalid: ${JSON.stringify(value)}`);
      cell.formula = null;
      cell.value = value;
      return;
    }
    if (value === "") {
      cell.formula = null;
      cell.value = "";
      return;
    }
    const result = typed(value, cell.numberFormat);
    cell.formula = result.formula ?? null;
    cell.value = result.formula ? (result.value ?? "") : result.value;
    if (result.format && cell.numberFormat === "General") cell.numberFormat = result.format;
  }

  function mergeAnchor(sheet, r, c) {
    return sheet.merges.find((m) => overlaps(m, { r, c, nr: 1, nc: 1 }));
  }

  // --- client objects -----------------------------------------------------------------------------
  //
  // Each client object has a resolver that finds its model target when its creation op runs at
  // sync, a set of loadable properties, and navigation properties (sub-objects). Properties are
  // read from a snapshot taken by load() at sync, never from the model directly.

  const registry = new WeakMap();

  function makeClient(ctx, type, spec, resolver, parent) {
    const state = {
      ctx, type, spec, resolver, parent, target: undefined, resolved: false,
      loaded: Object.create(null), isNull: undefined, children: Object.create(null),
      items: undefined,
    };
    const client = new Proxy({}, {
      get(_, prop) {
        if (typeof prop === "symbol" || prop === "then" || prop === "toJSON") return undefined;
        if (prop === "load") return (what) => { ctx.queueLoad(state, what); return client; };
        if (prop === "isNullObject") {
          if (state.isNull === undefined) fail("PropertyNotLoaded", MESSAGES.PropertyNotLoaded("isNullObject"));
          return state.isNull;
        }
        if (prop === "context") return ctx;
        if (prop === "items" && spec.collection) {
          if (state.items === undefined) fail("PropertyNotLoaded", MESSAGES.PropertyNotLoaded("items"));
          return state.items;
        }
        if (spec.methods && prop in spec.methods) return (...args) => spec.methods[prop](client, state, ...args);
        if (spec.nav && prop in spec.nav) {
          if (!state.children[prop]) state.children[prop] = spec.nav[prop](client, state);
          return state.children[prop];
        }
        if (spec.props && spec.props.includes(prop)) {
          if (!(prop in state.loaded)) fail("PropertyNotLoaded", MESSAGES.PropertyNotLoaded(prop));
          return state.loaded[prop];
        }
        notModelled(`${type}.${String(prop)}`);
      },
      set(_, prop, value) {
        if (spec.writable && prop in spec.writable) {
          ctx.queue({ state, run: (target) => spec.writable[prop](target, value, state), size: value });
          return true;
        }
        notModelled(`setting ${type}.${String(prop)}`);
      },
    });
    registry.set(client, state);
    ctx.queue({ state, create: true });
    return client;
  }

  // A navigation result: resolved from the parent's target when its creation op runs.
  function child(type, spec, resolve) {
    return (client, state) => makeClient(state.ctx, type, spec, () => resolve(target(state)), state);
  }

  // A new object a method makes (worksheets.add, tables.add, charts.add): its client resolves to
  // what the method's op builds, so its creation op runs after that one.
  function madeBy(state, type, spec, build, size) {
    let made;
    const client = makeClient(state.ctx, type, spec, () => made, state);
    const created = registry.get(client);
    state.ctx.unqueueCreate(created);
    state.ctx.queue({ state, run: (parent) => { made = build(parent); }, size });
    state.ctx.queue({ state: created, create: true });
    return client;
  }

  // An item found in its parent when the batch runs; ItemNotFound at sync when there is none.
  function itemOf(state, type, spec, find) {
    return makeClient(state.ctx, type, spec, () => {
      const found = find(target(state));
      if (!found) fail("ItemNotFound", "The requested resource doesn't exist.");
      return found;
    }, state);
  }

  function target(state) {
    if (!state.resolved) fail("InvalidObjectPath", `The object path '${state.type}' isn't working for what you're trying to do.`);
    if (state.target && state.target.deleted) fail("ItemNotFound", "The requested resource doesn't exist.");
    if (state.target && state.target.sheet && state.target.sheet.deleted) fail("ItemNotFound", "The requested resource doesn't exist.");
    return state.target;
  }

  // Office.js ignores a property name it does not know in load() (xlwings loads Table
  // "dataBodyRange", for one); the fake does too, and lists them in fakeExcel.ignoredLoads.
  function read(spec, model, prop, state) {
    const reader = spec.read && spec.read[prop];
    if (!reader) {
      if (spec.props && spec.props.includes(prop)) notModelled(`loading ${state.type}.${prop}`);
      fakeExcel.ignoredLoads.add(`${state.type}.${prop}`);
      return undefined;
    }
    return reader(model, state);
  }

  // --- specs: the API surface -------------------------------------------------------------------

  function rangeTarget(sheet, area) {
    return { sheet, area };
  }

  const FONT = {
    props: ["name", "size", "color", "bold", "italic", "underline"],
    read: Object.fromEntries(["name", "size", "color", "bold", "italic", "underline"].map((p) => [
      p, (t) => uniform(t.sheet, t.area, (cell) => cell.format.font[p])])),
    writable: Object.fromEntries(["name", "size", "color", "bold", "italic", "underline"].map((p) => [
      p, (t, value) => eachCell(t.area, (r, c) => { t.sheet.cell(r, c).format.font[p] = value; })])),
  };

  const FILL = {
    props: ["color", "pattern"],
    read: {
      color: (t) => uniform(t.sheet, t.area, (cell) => cell.format.fill || "#FFFFFF"),
      pattern: (t) => uniform(t.sheet, t.area, (cell) => (cell.format.fill ? "Solid" : "None")),
    },
    writable: {
      color: (t, value) => eachCell(t.area, (r, c) => { t.sheet.cell(r, c).format.fill = normalColor(value); }),
    },
    methods: {
      clear: (client, state) => state.ctx.queue({ state, run: (t) => eachCell(t.area, (r, c) => { t.sheet.cell(r, c).format.fill = null; }) }),
    },
  };

  const BORDER_SIDES = ["EdgeTop", "EdgeBottom", "EdgeLeft", "EdgeRight", "InsideVertical", "InsideHorizontal", "DiagonalDown", "DiagonalUp"];

  function borderCells(t, side, fn) {
    const { area } = t;
    eachCell(area, (r, c, i, j) => {
      const edges = [];
      if (side === "EdgeTop" && i === 0) edges.push("EdgeTop");
      if (side === "EdgeBottom" && i === area.nr - 1) edges.push("EdgeBottom");
      if (side === "EdgeLeft" && j === 0) edges.push("EdgeLeft");
      if (side === "EdgeRight" && j === area.nc - 1) edges.push("EdgeRight");
      if (side === "InsideHorizontal") {
        if (i > 0) edges.push("EdgeTop");
        if (i < area.nr - 1) edges.push("EdgeBottom");
      }
      if (side === "InsideVertical") {
        if (j > 0) edges.push("EdgeLeft");
        if (j < area.nc - 1) edges.push("EdgeRight");
      }
      if (side.startsWith("Diagonal")) edges.push(side);
      for (const edge of edges) fn(t.sheet.cell(r, c), edge);
    });
  }

  const BORDER = {
    props: ["style", "weight", "color", "sideIndex"],
    read: {},
    writable: Object.fromEntries(["style", "weight", "color"].map((p) => [p, (t, value) => borderCells(t.range, t.side, (cell, edge) => {
      const border = { ...(cell.format.borders[edge] || { style: "Continuous", weight: "Thin", color: "#000000" }) };
      border[p] = p === "color" ? normalColor(value) : value;
      if (border.style === "None") delete cell.format.borders[edge];
      else cell.format.borders[edge] = border;
    })])),
  };

  const BORDERS = {
    collection: true,
    methods: {
      getItem: (client, state, side) => {
        if (!BORDER_SIDES.includes(side)) fail("InvalidArgument", `The argument is invalid: ${side}`);
        return makeClient(state.ctx, "RangeBorder", BORDER, () => ({ range: target(state), side }), state);
      },
    },
  };

  const FORMAT = {
    props: ["rowHeight", "columnWidth", "wrapText", "horizontalAlignment", "verticalAlignment"],
    read: {
      rowHeight: (t) => uniform(t.sheet, { ...t.area, nc: 1 }, (_, r) => t.sheet.rowHeights.get(r) ?? STANDARD_HEIGHT),
      columnWidth: (t) => uniform(t.sheet, { ...t.area, nr: 1 }, (_, __, c) => t.sheet.columnWidths.get(c) ?? STANDARD_WIDTH),
      wrapText: (t) => uniform(t.sheet, t.area, (cell) => cell.format.wrapText),
      horizontalAlignment: (t) => uniform(t.sheet, t.area, (cell) => cell.format.horizontalAlignment),
      verticalAlignment: (t) => uniform(t.sheet, t.area, (cell) => cell.format.verticalAlignment),
    },
    writable: {
      rowHeight: (t, value) => { for (let i = 0; i < t.area.nr; i += 1) t.sheet.rowHeights.set(t.area.r + i, Number(value)); },
      columnWidth: (t, value) => {
        if (!(Number(value) >= 0)) fail("InvalidArgument", "The argument is invalid: columnWidth");
        for (let j = 0; j < boundedColumns(t.area); j += 1) t.sheet.columnWidths.set(t.area.c + j, Number(value));
      },
      wrapText: (t, value) => eachCell(t.area, (r, c) => { t.sheet.cell(r, c).format.wrapText = Boolean(value); }),
      horizontalAlignment: (t, value) => eachCell(t.area, (r, c) => { t.sheet.cell(r, c).format.horizontalAlignment = value; }),
      verticalAlignment: (t, value) => eachCell(t.area, (r, c) => { t.sheet.cell(r, c).format.verticalAlignment = value; }),
    },
    nav: {
      font: child("RangeFont", FONT, (t) => t),
      fill: child("RangeFill", FILL, (t) => t),
      borders: child("RangeBorderCollection", BORDERS, (t) => t),
    },
  };

  function boundedColumns(area) {
    return Math.min(area.nc, 1000);
  }

  function normalColor(value) {
    const text = String(value);
    if (/^#?[0-9a-fA-F]{6}$/.test(text)) return ("#" + text.replace("#", "")).toUpperCase();
    const named = { red: "#FF0000", white: "#FFFFFF", black: "#000000", yellow: "#FFFF00" }[text.toLowerCase()];
    if (named) return named;
    fail("InvalidArgument", `The argument is invalid: color ${text}`);
  }

  function writeCells(t, value, what, apply) {
    const at = broadcast(t.area, value, what);
    eachCell(t.area, (r, c, i, j) => apply(t.sheet.cell(r, c), at(i, j), r, c));
  }

  function clearCells(t, applyTo) {
    const what = applyTo || "All";
    eachCell(boundedArea(t.sheet, t.area), (r, c) => {
      const cell = t.sheet.cell(r, c, false);
      if (!cell) return;
      if (what === "All" || what === "Contents") {
        cell.value = "";
        cell.formula = null;
      }
      if (what === "All" || what === "Formats") {
        cell.format = newFormat();
        cell.numberFormat = "General";
      }
      if (what === "All" || what === "Hyperlinks" || what === "RemoveHyperlinks") cell.hyperlink = null;
    });
  }

  function qualified(t) {
    return `${quoteSheet(t.sheet.name)}!${areaAddress(t.area)}`;
  }

  const RANGE = {
    props: ["address", "addressLocal", "rowCount", "columnCount", "rowIndex", "columnIndex", "values", "numberFormat", "formulas", "text", "hyperlink", "cellCount"],
    read: {
      address: (t) => qualified(t),
      addressLocal: (t) => qualified(t),
      rowCount: (t) => t.area.nr,
      columnCount: (t) => t.area.nc,
      rowIndex: (t) => t.area.r,
      columnIndex: (t) => t.area.c,
      cellCount: (t) => cellCount(t.area),
      values: (t) => matrix(t.sheet, t.area, (cell) => (cell ? cell.value : "")),
      text: (t) => matrix(t.sheet, t.area, (cell) => (cell ? String(cell.value) : "")),
      numberFormat: (t) => matrix(t.sheet, t.area, (cell) => (cell ? cell.numberFormat : "General")),
      formulas: (t) => matrix(t.sheet, t.area, (cell) => (cell ? cell.formula ?? cell.value : "")),
      hyperlink: (t) => (t.sheet.cell(t.area.r, t.area.c, false) || new Cell()).hyperlink,
    },
    writable: {
      values: (t, value) => writeCells(t, value, "values", (cell, v) => writeValue(cell, v)),
      formulas: (t, value) => writeCells(t, value, "formulas", (cell, v) => writeValue(cell, v)),
      numberFormat: (t, value) => writeCells(t, value, "numberFormat", (cell, v) => { if (v !== null) cell.numberFormat = String(v); }),
      hyperlink: (t, value) => eachCell(t.area, (r, c) => {
        const cell = t.sheet.cell(r, c);
        if (!value) {
          cell.hyperlink = null;
          return;
        }
        cell.hyperlink = { address: value.address ?? null, document_reference: value.documentReference ?? null, screen_tip: value.screenTip ?? null };
        if (value.textToDisplay != null) writeValue(cell, String(value.textToDisplay));
      }),
    },
    nav: {
      format: child("RangeFormat", FORMAT, (t) => t),
    },
    methods: {
      getSurroundingRegion: (client, state) => rangeClient(state.ctx, () => {
        const t = target(state);
        const used = t.sheet.usedArea(true);
        return rangeTarget(t.sheet, used && overlaps(used, t.area) ? used : t.area);
      }, state),
      getCell: (client, state, row, column) => rangeClient(state.ctx, () => {
        const t = target(state);
        return rangeTarget(t.sheet, { r: t.area.r + row, c: t.area.c + column, nr: 1, nc: 1 });
      }, state),
      clear: (client, state, applyTo) => state.ctx.queue({ state, run: (t) => clearCells(t, applyTo) }),
      merge: (client, state, across) => state.ctx.queue({ state, run: (t) => {
        const areas = across
          ? Array.from({ length: t.area.nr }, (_, i) => ({ r: t.area.r + i, c: t.area.c, nr: 1, nc: t.area.nc }))
          : [t.area];
        for (const area of areas) {
          if (cellCount(area) === 1) continue;
          t.sheet.merges = t.sheet.merges.filter((m) => !overlaps(m, area));
          t.sheet.merges.push({ ...area });
          // Excel keeps the top-left value of a merged area only.
          eachCell(area, (r, c, i, j) => {
            if (i === 0 && j === 0) return;
            const cell = t.sheet.cell(r, c, false);
            if (cell) { cell.value = ""; cell.formula = null; }
          });
        }
      } }),
      unmerge: (client, state) => state.ctx.queue({ state, run: (t) => { t.sheet.merges = t.sheet.merges.filter((m) => !overlaps(m, t.area)); } }),
      select: (client, state) => state.ctx.queue({ state, run: (t) => { t.sheet.book.selection = { sheet: t.sheet, area: { ...t.area } }; t.sheet.book.active = t.sheet; } }),
      setCellProperties: (client, state, properties) => state.ctx.queue({ state, size: properties, run: (t) => {
        const at = broadcast(t.area, properties, "cell properties");
        eachCell(t.area, (r, c, i, j) => {
          const props = at(i, j) || {};
          const fill = props.format && props.format.fill;
          if (fill && fill.pattern === "None") t.sheet.cell(r, c).format.fill = null;
          else if (fill && fill.color) t.sheet.cell(r, c).format.fill = normalColor(fill.color);
          const font = props.format && props.format.font;
          if (font) Object.assign(t.sheet.cell(r, c).format.font, font);
        });
      } }),
    },
  };

  function rangeClient(ctx, resolve, parent) {
    return makeClient(ctx, "Range", RANGE, resolve, parent);
  }


  const RANGE_AREAS = {
    props: ["address", "areaCount"],
    read: {
      address: (t) => t.areas.map((a) => `${quoteSheet(t.sheet.name)}!${areaAddress(a)}`).join(","),
      areaCount: (t) => t.areas.length,
    },
    nav: {
      areas: (client, state) => makeClient(state.ctx, "RangeCollection", RANGE_COLLECTION, () => target(state), state),
    },
    methods: {
      clear: (client, state, applyTo) => state.ctx.queue({ state, run: (t) => t.areas.forEach((area) => clearCells(rangeTarget(t.sheet, area), applyTo)) }),
    },
  };

  const RANGE_COLLECTION = {
    collection: true,
    items: (t) => t.areas.map((area) => rangeTarget(t.sheet, area)),
    itemSpec: () => RANGE,
    itemType: "Range",
    props: ["count"],
    read: { count: (t) => t.areas.length },
  };

  // Worksheets -----------------------------------------------------------------------------------

  const PAGE_LAYOUT = {
    methods: {
      getPrintAreaOrNullObject: (client, state) => makeClient(state.ctx, "RangeAreas", RANGE_AREAS, () => {
        const sheet = target(state);
        if (!sheet.printArea) return null;
        return { sheet, areas: sheet.printArea.split(",").map((a) => parseArea(splitSheet(a)[1])) };
      }, state),
      setPrintArea: (client, state, address) => state.ctx.queue({ state, run: (sheet) => {
        const text = typeof address === "string" ? address : null;
        if (text === null) notModelled("PageLayout.setPrintArea with a Range");
        if (text) text.split(",").forEach((a) => parseArea(splitSheet(a)[1]));
        sheet.printArea = text || null;
      } }),
    },
  };

  const NOTE = {
    props: ["content", "authorName"],
    read: { content: (n) => n.note.content, authorName: (n) => n.note.author },
    methods: {
      getLocation: (client, state) => rangeClient(state.ctx, () => {
        const n = target(state);
        const [r, c] = n.key.split(",").map(Number);
        return rangeTarget(n.sheet, { r, c, nr: 1, nc: 1 });
      }, state),
    },
  };

  const NOTES = {
    collection: true,
    items: (sheet) => [...sheet.notes].map(([k, note]) => ({ sheet, key: k, note })),
    itemSpec: () => NOTE,
    itemType: "Note",
    props: ["count"],
    read: { count: (sheet) => sheet.notes.size },
  };

  const NAMED_ITEM = {
    props: ["name", "type", "formula", "value", "visible", "comment"],
    read: {
      name: (n) => n.item.name,
      type: (n) => n.item.type,
      formula: (n) => n.item.formula,
      value: (n) => n.item.value ?? n.item.formula,
      visible: () => true,
      comment: () => "",
    },
    methods: {
      getRangeOrNullObject: (client, state) => rangeClient(state.ctx, () => {
        const n = target(state);
        const formula = n.item.formula.replace(/^=/, "");
        if (n.item.type !== "Range" || formula.includes(",")) return null;
        const [sheetName, address] = splitSheet(formula);
        const sheet = n.book.sheet(sheetName);
        if (!sheet) return null;
        return rangeTarget(sheet, parseArea(address));
      }, state),
    },
  };

  function namesSpec(list) {
    return {
      collection: true,
      items: (owner) => list(owner).map((item) => ({ book: owner.book || owner, item })),
      itemSpec: () => NAMED_ITEM,
      itemType: "NamedItem",
      props: ["count"],
      read: { count: (owner) => list(owner).length },
      methods: {
        add: () => notModelled("NamedItemCollection.add"),
      },
    };
  }

  const TABLE_COLUMN = {
    props: ["name", "index"],
    read: { name: (col) => col.name, index: (col) => col.index },
  };

  const TABLE = {
    props: ["name", "id", "showHeaders", "showTotals", "style", "showFilterButton", "highlightFirstColumn", "highlightLastColumn", "showBandedRows", "showBandedColumns"],
    read: {
      name: (t) => t.name,
      id: (t) => t.id,
      showHeaders: (t) => t.showHeaders,
      showTotals: (t) => t.showTotals,
      style: (t) => t.style,
      showFilterButton: (t) => t.showFilterButton,
      highlightFirstColumn: (t) => t.highlightFirstColumn,
      highlightLastColumn: (t) => t.highlightLastColumn,
      showBandedRows: (t) => t.showBandedRows,
      showBandedColumns: (t) => t.showBandedColumns,
    },
    writable: {
      name: (t, value) => {
        const clash = t.sheet.book.allTables().find((o) => o !== t && o.name.toLowerCase() === String(value).toLowerCase());
        if (clash) fail("InvalidArgument", `A table named ${value} already exists.`);
        t.name = String(value);
      },
      style: (t, value) => { t.style = String(value); },
      showFilterButton: (t, value) => { t.showFilterButton = Boolean(value); },
      showHeaders: (t, value) => { t.showHeaders = Boolean(value); },
      showTotals: (t, value) => { t.showTotals = Boolean(value); },
    },
    nav: {
      columns: (client, state) => makeClient(state.ctx, "TableColumnCollection", {
        collection: true,
        items: (t) => tableColumns(t).map((name, index) => ({ name, index })),
        itemSpec: () => TABLE_COLUMN,
        itemType: "TableColumn",
        props: ["count"],
        read: { count: (t) => t.area.nc },
      }, () => target(state), state),
    },
    methods: {
      getRange: (client, state) => rangeClient(state.ctx, () => { const t = target(state); return rangeTarget(t.sheet, t.area); }, state),
      getHeaderRowRange: (client, state) => rangeClient(state.ctx, () => {
        const t = target(state);
        return rangeTarget(t.sheet, { ...t.area, nr: 1 });
      }, state),
      getDataBodyRange: (client, state) => rangeClient(state.ctx, () => {
        const t = target(state);
        const top = t.showHeaders ? 1 : 0;
        const bottom = t.showTotals ? 1 : 0;
        return rangeTarget(t.sheet, { r: t.area.r + top, c: t.area.c, nr: Math.max(1, t.area.nr - top - bottom), nc: t.area.nc });
      }, state),
      getTotalRowRange: (client, state) => rangeClient(state.ctx, () => {
        const t = target(state);
        return rangeTarget(t.sheet, { ...t.area, r: t.area.r + t.area.nr - 1, nr: 1 });
      }, state),
      resize: (client, state, address) => state.ctx.queue({ state, run: (t) => {
        const [, text] = splitSheet(String(address));
        const area = parseArea(text);
        if (area.r !== t.area.r) fail("InvalidArgument", "The table's header row must stay where it is.");
        const clash = t.sheet.tables.find((o) => o !== t && overlaps(o.area, area));
        if (clash) fail("InvalidArgument", "A table can't overlap another table.");
        t.area = area;
      } }),
    },
  };

  function addTable(sheet, address, hasHeaders) {
    const [sheetName, text] = splitSheet(String(address));
    const owner = sheetName ? sheet.book.sheet(sheetName) : sheet;
    let area = parseArea(text);
    if (owner.tables.some((t) => overlaps(t.area, area))) fail("InvalidArgument", "A table can't overlap another table.");
    if (owner.merges.some((m) => overlaps(m, area))) fail("InvalidArgument", "A table can't contain merged cells.");
    if (!hasHeaders) {
      // Excel puts a header row of Column1, Column2, ... above the data.
      notModelled("Table add without headers");
    }
    const names = new Set(sheet.book.allTables().map((t) => t.name.toLowerCase()));
    let number = 1;
    while (names.has(`table${number}`)) number += 1;
    const table = {
      id: `{fake-table-${nextId++}}`, sheet: owner, name: `Table${number}`, area, showHeaders: true,
      showTotals: false, style: "TableStyleMedium2", showFilterButton: true, highlightFirstColumn: false,
      highlightLastColumn: false, showBandedRows: true, showBandedColumns: false,
    };
    eachCell({ ...area, nr: 1 }, (r, c, i) => {
      const cell = owner.cell(r, c);
      if (cell.value === "") cell.value = `Column${i + 1}`;
      else cell.value = String(cell.value);
    });
    owner.tables.push(table);
    return table;
  }

  const TABLES = {
    collection: true,
    items: (sheet) => sheet.tables,
    itemSpec: () => TABLE,
    itemType: "Table",
    props: ["count"],
    read: { count: (sheet) => sheet.tables.length },
    methods: {
      add: (client, state, address, hasHeaders) =>
        madeBy(state, "Table", TABLE, (sheet) => addTable(sheet, address, hasHeaders)),
      getItem: (client, state, name) => itemOf(state, "Table", TABLE, (sheet) =>
        sheet.tables.find((o) => o.name.toLowerCase() === String(name).toLowerCase())),
    },
  };

  // Charts -----------------------------------------------------------------------------------------

  function seriesFromSource(sheet, area, seriesBy) {
    const value = (r, c) => { const cell = sheet.cell(r, c, false); return cell ? cell.value : ""; };
    const isText = (v) => typeof v === "string" && v !== "";
    let byColumns = seriesBy === "Columns" || (seriesBy !== "Rows" && area.nr >= area.nc);
    const lines = byColumns ? area.nc : area.nr;
    const length = byColumns ? area.nr : area.nc;
    // Excel's rule: a text first row (columns) names the series; a first column that is text
    // under an empty top-left cell holds the categories.
    const headerRow = Array.from({ length: byColumns ? area.nc : area.nr }, (_, i) => byColumns ? value(area.r, area.c + i) : value(area.r + i, area.c));
    const named = headerRow.some(isText);
    const corner = value(area.r, area.c);
    const categoryLine = corner === "" && length > 1 && Array.from({ length: length - 1 }, (_, k) => byColumns ? value(area.r + 1 + k, area.c) : value(area.r, area.c + 1 + k)).some(isText);
    const series = [];
    for (let i = categoryLine ? 1 : 0; i < lines; i += 1) {
      const start = named ? 1 : 0;
      const cells = byColumns
        ? { r: area.r + start, c: area.c + i, nr: area.nr - start, nc: 1 }
        : { r: area.r + i, c: area.c + start, nr: 1, nc: area.nc - start };
      series.push({
        name: named ? String(headerRow[i]) : `Series${series.length + 1}`,
        values: `${quoteSheet(sheet.name)}!${areaAddress(cells)}`,
        x_axis_values: null,
        fill_color: null,
        line_color: null,
      });
    }
    return series;
  }

  const CHART_TITLE = {
    props: ["text", "visible"],
    read: { text: (c) => c.title.text, visible: (c) => c.title.visible },
    writable: { text: (c, v) => { c.title.text = String(v); }, visible: (c, v) => { c.title.visible = Boolean(v); } },
  };

  const CHART_LEGEND = {
    props: ["position", "visible"],
    read: { position: (c) => c.legend.position, visible: (c) => c.legend.visible },
    writable: { position: (c, v) => { c.legend.position = String(v); }, visible: (c, v) => { c.legend.visible = Boolean(v); } },
  };

  const SERIES_FILL = {
    methods: {
      setSolidColor: (client, state, color) => state.ctx.queue({ state, run: (s) => { s.fill_color = normalColor(color); } }),
    },
  };

  const SERIES_LINE = {
    props: ["color"],
    read: { color: (s) => s.line_color },
    writable: { color: (s, v) => { s.line_color = normalColor(v); } },
  };

  const SERIES = {
    props: ["name", "chartType"],
    read: { name: (s) => s.name, chartType: (s) => s.chart_type ?? null },
    writable: { name: (s, v) => { s.name = String(v); }, chartType: (s, v) => { s.chart_type = String(v); } },
    nav: {
      format: (client, state) => makeClient(state.ctx, "ChartSeriesFormat", {
        nav: {
          fill: child("ChartFill", SERIES_FILL, (s) => s),
          line: child("ChartLineFormat", SERIES_LINE, (s) => s),
        },
      }, () => target(state), state),
    },
    methods: {
      setXAxisValues: (client, state, range) => {
        const source = registry.get(range);
        state.ctx.queue({ state, run: (s) => { s.x_axis_values = qualified(target(source)); } });
      },
    },
  };

  const CHART = {
    props: ["name", "chartType", "left", "top", "width", "height", "style", "id"],
    read: {
      name: (c) => c.name, chartType: (c) => c.chartType, left: (c) => c.left, top: (c) => c.top,
      width: (c) => c.width, height: (c) => c.height, style: (c) => c.style, id: (c) => c.id,
    },
    writable: {
      name: (c, v) => { c.name = String(v); },
      chartType: (c, v) => { c.chartType = String(v); },
      left: (c, v) => { c.left = Number(v); },
      top: (c, v) => { c.top = Number(v); },
      width: (c, v) => { c.width = Number(v); },
      height: (c, v) => { c.height = Number(v); },
      style: (c, v) => { c.style = Number(v); },
    },
    nav: {
      title: child("ChartTitle", CHART_TITLE, (c) => c),
      legend: child("ChartLegend", CHART_LEGEND, (c) => c),
      series: (client, state) => makeClient(state.ctx, "ChartSeriesCollection", {
        collection: true,
        items: (c) => c.series,
        itemSpec: () => SERIES,
        itemType: "ChartSeries",
        props: ["count"],
        read: { count: (c) => c.series.length },
        methods: {
          getItemAt: (client2, state2, index) =>
            itemOf(state2, "ChartSeries", SERIES, (c) => c.series[index]),
        },
      }, () => target(state), state),
    },
    methods: {
      setPosition: (client, state, startCell) => {
        const source = registry.get(startCell);
        state.ctx.queue({ state, run: (c) => {
          const { area, sheet } = target(source);
          let top = 0;
          for (let r = 0; r < area.r; r += 1) top += sheet.rowHeights.get(r) ?? STANDARD_HEIGHT;
          let left = 0;
          for (let col = 0; col < area.c; col += 1) left += sheet.columnWidths.get(col) ?? STANDARD_WIDTH;
          c.top = top;
          c.left = left;
          c.anchor = areaAddress(area);
        } });
      },
    },
  };

  const CHARTS = {
    collection: true,
    items: (sheet) => sheet.charts,
    itemSpec: () => CHART,
    itemType: "Chart",
    props: ["count"],
    read: { count: (sheet) => sheet.charts.length },
    methods: {
      getItemAt: (client, state, index) =>
        itemOf(state, "Chart", CHART, (sheet) => sheet.charts[index]),
      add: (client, state, type, sourceRange, seriesBy) => {
        const source = registry.get(sourceRange);
        return madeBy(state, "Chart", CHART, (sheet) => {
          const { sheet: from, area } = target(source);
          const chart = {
            id: `{fake-chart-${nextId++}}`, sheet, name: `Chart ${sheet.charts.length + 1}`, chartType: String(type),
            source: qualified({ sheet: from, area }), seriesBy: seriesBy || "Auto", left: 0, top: 0, width: 360,
            height: 216, style: 2, title: { visible: false, text: "" }, legend: { visible: true, position: "Right" },
            series: seriesFromSource(from, area, seriesBy),
          };
          sheet.charts.push(chart);
          return chart;
        });
      },
    },
  };

  const SHAPES = {
    collection: true,
    items: () => [],
    itemSpec: () => ({}),
    itemType: "Shape",
    props: ["count"],
    read: { count: () => 0 },
  };

  const PIVOTS = {
    collection: true,
    items: () => [],
    itemSpec: () => ({}),
    itemType: "PivotTable",
    props: ["count"],
    read: { count: () => 0 },
  };

  const WORKSHEET = {
    props: ["name", "position", "visibility", "showGridlines", "id", "tabColor"],
    read: {
      name: (s) => s.name,
      position: (s) => s.position,
      visibility: (s) => s.visibility,
      showGridlines: (s) => s.showGridlines,
      id: (s) => s.id,
      tabColor: () => "",
    },
    writable: {
      name: (s, value) => {
        const text = String(value);
        if (!text || text.length > 31 || /[\\/?*[\]:]/.test(text)) fail("InvalidArgument", `The argument is invalid: sheet name ${text}`);
        if (s.book.sheets.some((o) => o !== s && o.name.toLowerCase() === text.toLowerCase())) {
          fail("InvalidArgument", "The name is already taken. Try a different one.");
        }
        s.name = text;
      },
      position: (s, value) => {
        const sheets = s.book.sheets;
        const to = Math.max(0, Math.min(sheets.length - 1, Number(value)));
        sheets.splice(sheets.indexOf(s), 1);
        sheets.splice(to, 0, s);
      },
      visibility: (s, value) => { s.visibility = String(value); },
      showGridlines: (s, value) => { s.showGridlines = Boolean(value); },
    },
    nav: {
      tables: (client, state) => makeClient(state.ctx, "TableCollection", TABLES, () => target(state), state),
      charts: (client, state) => makeClient(state.ctx, "ChartCollection", CHARTS, () => target(state), state),
      shapes: (client, state) => makeClient(state.ctx, "ShapeCollection", SHAPES, () => target(state), state),
      pivotTables: (client, state) => makeClient(state.ctx, "PivotTableCollection", PIVOTS, () => target(state), state),
      notes: (client, state) => makeClient(state.ctx, "NoteCollection", NOTES, () => target(state), state),
      names: (client, state) => makeClient(state.ctx, "NamedItemCollection", namesSpec((s) => s.names), () => target(state), state),
      pageLayout: (client, state) => makeClient(state.ctx, "PageLayout", PAGE_LAYOUT, () => target(state), state),
    },
    methods: {
      getRange: (client, state, address) => rangeClient(state.ctx, () => {
        const sheet = target(state);
        if (address === undefined || address === "") return rangeTarget(sheet, { r: 0, c: 0, nr: MAX_ROWS, nc: MAX_COLUMNS });
        const [sheetName, text] = splitSheet(String(address));
        if (sheetName && sheetName.toLowerCase() !== sheet.name.toLowerCase()) fail("InvalidArgument", `The argument is invalid: ${address}`);
        return rangeTarget(sheet, parseArea(text));
      }, state),
      getRangeByIndexes: (client, state, row, column, rows, columns) => rangeClient(state.ctx, () => {
        if (![row, column, rows, columns].every(Number.isInteger) || row < 0 || column < 0 || rows < 1 || columns < 1 || row + rows > MAX_ROWS || column + columns > MAX_COLUMNS) {
          fail("InvalidArgument", `The argument is invalid or missing or has an incorrect format: getRangeByIndexes(${row}, ${column}, ${rows}, ${columns})`);
        }
        return rangeTarget(target(state), { r: row, c: column, nr: rows, nc: columns });
      }, state),
      getUsedRangeOrNullObject: (client, state, valuesOnly) => rangeClient(state.ctx, () => {
        const sheet = target(state);
        const used = sheet.usedArea(Boolean(valuesOnly));
        return used ? rangeTarget(sheet, used) : null;
      }, state),
      getRanges: (client, state, address) => makeClient(state.ctx, "RangeAreas", RANGE_AREAS, () => {
        const sheet = target(state);
        if (address) notModelled("Worksheet.getRanges with an address");
        return { sheet, areas: [{ r: 0, c: 0, nr: MAX_ROWS, nc: MAX_COLUMNS }] };
      }, state),
      activate: (client, state) => state.ctx.queue({ state, run: (sheet) => {
        sheet.book.active = sheet;
        sheet.book.selection = { sheet, area: { r: 0, c: 0, nr: 1, nc: 1 } };
      } }),
      delete: (client, state) => state.ctx.queue({ state, run: (sheet) => {
        const book = sheet.book;
        if (book.sheets.filter((s) => s.visibility === "Visible").length <= 1 && sheet.visibility === "Visible") {
          fail("InvalidOperation", "A workbook must contain at least one visible worksheet.");
        }
        book.sheets.splice(book.sheets.indexOf(sheet), 1);
        sheet.deleted = true;
        if (book.active === sheet) book.active = book.sheets[0];
        if (book.selection.sheet === sheet) book.selection = { sheet: book.active, area: { r: 0, c: 0, nr: 1, nc: 1 } };
      } }),
    },
  };
  RANGE.nav.worksheet = child("Worksheet", WORKSHEET, (t) => t.sheet);
  TABLE.nav.worksheet = child("Worksheet", WORKSHEET, (t) => t.sheet);

  function addSheet(book, name) {
    let text = name;
    if (text === undefined || text === null) {
      let n = book.sheets.length + 1;
      while (book.sheet(`Sheet${n}`)) n += 1;
      text = `Sheet${n}`;
    }
    text = String(text);
    if (book.sheet(text)) fail("ItemAlreadyExists", "The resource already exists.");
    if (!text || text.length > 31 || /[\\/?*[\]:]/.test(text)) fail("InvalidArgument", `The argument is invalid: sheet name ${text}`);
    const sheet = new SheetModel(book, text);
    // Excel adds a sheet after the active one and makes it active.
    book.sheets.splice(book.active.position + 1, 0, sheet);
    book.active = sheet;
    book.selection = { sheet, area: { r: 0, c: 0, nr: 1, nc: 1 } };
    return sheet;
  }

  const WORKSHEETS = {
    collection: true,
    items: (book) => book.sheets,
    itemSpec: () => WORKSHEET,
    itemType: "Worksheet",
    props: ["count"],
    read: { count: (book) => book.sheets.length },
    methods: {
      getItem: (client, state, name) => itemOf(state, "Worksheet", WORKSHEET, (book) => book.sheet(name)),
      getItemOrNullObject: (client, state, name) => makeClient(state.ctx, "Worksheet", WORKSHEET, () => target(state).sheet(name) || null, state),
      getActiveWorksheet: (client, state) => makeClient(state.ctx, "Worksheet", WORKSHEET, () => target(state).active, state),
      add: (client, state, name) => madeBy(state, "Worksheet", WORKSHEET, (book) => addSheet(book, name), name),
    },
  };

  const DATETIME_FORMAT = {
    props: ["shortDatePattern", "longDatePattern", "dateSeparator"],
    read: { shortDatePattern: () => "dd/MM/yyyy", longDatePattern: () => "dd MMMM yyyy", dateSeparator: () => "/" },
  };

  const CULTURE = {
    props: ["name"],
    read: { name: () => "en-GB" },
    nav: { datetimeFormat: child("DatetimeFormatInfo", DATETIME_FORMAT, (b) => b) },
  };

  const APPLICATION = {
    props: ["calculationMode"],
    read: { calculationMode: (b) => b.calculationMode },
    writable: { calculationMode: (b, v) => { b.calculationMode = String(v); } },
    nav: { cultureInfo: child("CultureInfo", CULTURE, (b) => b) },
    methods: {
      suspendScreenUpdatingUntilNextSync: () => {},
    },
  };

  const WORKBOOK = {
    props: ["name"],
    read: { name: (b) => b.name },
    nav: {
      worksheets: (client, state) => makeClient(state.ctx, "WorksheetCollection", WORKSHEETS, () => target(state), state),
      names: (client, state) => makeClient(state.ctx, "NamedItemCollection", namesSpec((b) => b.names), () => target(state), state),
      application: child("Application", APPLICATION, (b) => b),
    },
    methods: {
      getSelectedRange: (client, state) => rangeClient(state.ctx, () => {
        const book = target(state);
        return rangeTarget(book.selection.sheet, book.selection.area);
      }, state),
    },
  };

  // --- the request context --------------------------------------------------------------------------

  function splitLoad(what) {
    if (what === undefined || what === null) return { all: true };
    if (typeof what === "object" && !Array.isArray(what)) {
      if (what.select) return splitLoad(what.select);
      notModelled("load with an option object other than {select}");
    }
    const list = Array.isArray(what) ? what : String(what).split(",");
    return { paths: list.map((p) => p.trim()).filter(Boolean) };
  }

  class RequestContext {
    constructor(book) {
      this.book = book || fakeExcel.book;
      this.pending = [];
      this.application = null;
      const ctx = this;
      this.workbook = makeClient(this, "Workbook", WORKBOOK, () => ctx.book, null);
      this.application = this.workbook.application;
    }
    queue(op) {
      this.pending.push(op);
    }
    unqueueCreate(state) {
      this.pending = this.pending.filter((op) => !(op.create && op.state === state));
    }
    queueLoad(state, what) {
      this.pending.push({ state, load: splitLoad(what) });
    }
    async sync() {
      const ops = this.pending;
      this.pending = [];
      fakeExcel.syncs += 1;
      const requestSize = ops.reduce((total, op) => total + 40 + (op.size === undefined ? 0 : jsonSize(op.size)), 0);
      if (requestSize > PAYLOAD_LIMIT) fail("RequestPayloadSizeLimitExceeded");
      const loads = [];
      let responseSize = 0;
      for (const op of ops) {
        if (op.create) {
          resolveState(op.state);
          continue;
        }
        const t = target(op.state);
        if (op.load) {
          if (t === null) continue;
          const result = loadInto(op.state, t, op.load);
          loads.push(result);
          responseSize += jsonSize(result.values);
          if (responseSize > PAYLOAD_LIMIT) fail("ResponsePayloadSizeLimitExceeded");
          continue;
        }
        if (t === null) fail("InvalidObjectPath", "The object is a null object.");
        op.run(t);
        fakeExcel.lastApplied = performance.now();
      }
      // Loaded values become readable only now, after the whole batch ran.
      for (const { apply } of loads) apply();
      // A round trip to Excel: the batch answers asynchronously.
      await Promise.resolve();
    }
  }

  function jsonSize(value) {
    try {
      return JSON.stringify(value).length;
    } catch (error) {
      return 0;
    }
  }

  function resolveState(state) {
    if (state.resolved) return;
    if (state.parent && !state.parent.resolved) resolveState(state.parent);
    if (state.parent && state.parent.target === null) {
      state.target = null;
    } else {
      state.target = state.resolver();
    }
    state.resolved = true;
    state.isNull = state.target === null || state.target === undefined;
    if (state.target === undefined) state.target = null;
  }

  // Reads every requested property now (in batch order) and hands a function that makes them
  // visible at the end of the sync.
  function loadInto(state, t, load) {
    const spec = state.spec;
    const values = {};
    const later = [];
    const paths = load.all ? (spec.props || []).filter((p) => !(spec.collection && p === "count")) : load.paths;
    if (spec.collection) {
      const itemPaths = [];
      let wantItems = load.all;
      for (const path of paths) {
        if (path === "items") wantItems = true;
        else if (path.startsWith("items/")) { wantItems = true; itemPaths.push(path.slice(6)); }
        else if ((spec.props || []).includes(path)) values[path] = read(spec, t, path, state);
        else { wantItems = true; itemPaths.push(path); }
      }
      if (wantItems) {
        const models = spec.items(t);
        const itemSpec = spec.itemSpec();
        const items = models.map((model) => {
          const item = makeClient(state.ctx, spec.itemType, itemSpec, () => model, state);
          const itemState = registry.get(item);
          state.ctx.unqueueCreate(itemState);
          itemState.target = model;
          itemState.resolved = true;
          itemState.isNull = false;
          const paths2 = itemPaths.length ? itemPaths : (itemSpec.props || []);
          const loaded = loadInto(itemState, model, { paths: paths2 });
          later.push(loaded.apply);
          return item;
        });
        values.items = items.length;
        later.push(() => { state.items = items; });
      }
      return { values, apply: () => { Object.assign(state.loaded, values); later.forEach((f) => f()); } };
    }
    for (const path of paths) {
      const [head, ...rest] = path.split("/");
      if (rest.length) {
        const sub = state.children[head] || (state.children[head] = navigate(state, head));
        const subState = registry.get(sub);
        resolveState(subState);
        state.ctx.unqueueCreate(subState);
        const loaded = loadInto(subState, subState.target, { paths: [rest.join("/")] });
        later.push(loaded.apply);
        values[path] = loaded.values;
      } else if (spec.nav && head in spec.nav && !(spec.props || []).includes(head)) {
        const sub = state.children[head] || (state.children[head] = navigate(state, head));
        const subState = registry.get(sub);
        resolveState(subState);
        state.ctx.unqueueCreate(subState);
        const loaded = loadInto(subState, subState.target, { all: true });
        later.push(loaded.apply);
      } else {
        values[head] = read(spec, t, head, state);
      }
    }
    return { values, apply: () => { Object.assign(state.loaded, values); later.forEach((f) => f()); } };
  }

  function navigate(state, head) {
    const nav = state.spec.nav && state.spec.nav[head];
    if (!nav) notModelled(`loading ${state.type}.${head}`);
    return nav(null, state);
  }

  // --- Office, Excel, CustomFunctions --------------------------------------------------------------

  const fakeExcel = {
    book: null,
    syncs: 0,
    runs: 0,
    lastApplied: null,
    dialogs: [],
    ribbon: {},
    functions: {},
    ignoredLoads: new Set(),
    load(state) {
      this.book = new BookModel(state || { sheets: [] });
    },
    snapshot() {
      return snapshot(this.book);
    },
    // Presses a ribbon button: runs the handler Office.actions.associate registered for it and
    // resolves when the handler calls event.completed().
    pressRibbon(functionName) {
      const handler = this.ribbon[functionName];
      if (!handler) throw new Error(`No ribbon handler for ${functionName}`);
      return new Promise((resolve, reject) => {
        const event = { completed: () => resolve(true), source: { id: functionName } };
        Promise.resolve(handler(event)).catch(reject);
      });
    },
    // Evaluates a custom function as Excel does: every argument a 2-D matrix, the invocation last.
    async evaluate(name, args, address) {
      const fn = this.functions[String(name).toUpperCase()];
      if (!fn) throw new Error(`No custom function ${name}`);
      const results = [];
      const invocation = { address: address || "Sheet1!A1", setResult: (value) => results.push(value), onCanceled: null };
      try {
        const value = await fn(...args, invocation);
        return { value };
      } catch (error) {
        return { error: error.code || "error", message: error.message || String(error) };
      }
    },
    sizeLimit: PAYLOAD_LIMIT,
  };
  globalThis.fakeExcel = fakeExcel;
  fakeExcel.load(globalThis.__FAKE_EXCEL_STATE__);

  let readyInfo = { host: "Excel", platform: "OfficeOnline" };
  const readyPromise = new Promise((resolve) => setTimeout(() => resolve(readyInfo), 0));

  globalThis.OfficeExtension = {
    Error: FakeOfficeError,
    ErrorCodes: { propertyNotLoaded: "PropertyNotLoaded", itemNotFound: "ItemNotFound", invalidArgument: "InvalidArgument" },
    config: {},
  };

  globalThis.Office = {
    onReady(callback) {
      return readyPromise.then((info) => {
        if (typeof callback === "function") callback(info);
        return info;
      });
    },
    HostType: { Excel: "Excel" },
    PlatformType: { OfficeOnline: "OfficeOnline", PC: "PC", Mac: "Mac" },
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    EventType: { DialogMessageReceived: "dialogMessageReceived", DialogEventReceived: "dialogEventReceived" },
    StartupBehavior: { load: "Load", none: "None" },
    context: {
      platform: "OfficeOnline",
      contentLanguage: "en-GB",
      displayLanguage: "en-GB",
      diagnostics: { version: "16.0.fake", platform: "OfficeOnline" },
      requirements: {
        isSetSupported(name, version) {
          const have = SUPPORTED[String(name).toLowerCase()];
          if (have === undefined) return false;
          if (version === undefined) return true;
          const [major, minor = "0"] = String(version).split(".");
          const [haveMajor, haveMinor] = have;
          return Number(major) < haveMajor || (Number(major) === haveMajor && Number(minor) <= haveMinor);
        },
      },
      ui: {
        displayDialogAsync(url, options, callback) {
          const dialog = { url, options, closed: false, handlers: {} };
          fakeExcel.dialogs.push(dialog);
          const handle = {
            addEventHandler: (type, fn) => { dialog.handlers[type] = fn; },
            close: () => { dialog.closed = true; },
          };
          setTimeout(() => callback && callback({ status: "succeeded", value: handle }), 0);
        },
        messageParent() {},
      },
    },
    actions: {
      associate(name, handler) {
        fakeExcel.ribbon[name] = handler;
      },
    },
    addin: {
      setStartupBehavior: async () => {},
      showAsTaskpane: async () => {},
    },
  };

  globalThis.Excel = {
    RequestContext,
    async run(batch) {
      fakeExcel.runs += 1;
      const context = new RequestContext(fakeExcel.book);
      const result = await batch(context);
      // Excel.run syncs what the batch left queued.
      await context.sync();
      return result;
    },
    ClearApplyTo: { all: "All", formats: "Formats", contents: "Contents", hyperlinks: "Hyperlinks", removeHyperlinks: "RemoveHyperlinks" },
    CalculationType: { full: "Full", recalculate: "Recalculate" },
    SaveBehavior: { save: "Save", prompt: "Prompt" },
    ShapeType: { image: "Image", geometricShape: "GeometricShape", group: "Group", line: "Line" },
    BorderIndex: Object.fromEntries(BORDER_SIDES.map((s) => [s[0].toLowerCase() + s.slice(1), s])),
  };

  class CustomFunctionsError extends Error {
    constructor(code, message) {
      super(message || code);
      this.code = code;
    }
  }

  globalThis.CustomFunctions = {
    associate(name, fn) {
      if (typeof name === "object") {
        for (const [k, v] of Object.entries(name)) fakeExcel.functions[k.toUpperCase()] = v;
      } else {
        fakeExcel.functions[String(name).toUpperCase()] = fn;
      }
    },
    Error: CustomFunctionsError,
    ErrorCode: { invalidValue: "#VALUE!", notAvailable: "#N/A", divisionByZero: "#DIV/0!", invalidNumber: "#NUM!", nullReference: "#NULL!", invalidName: "#NAME?", invalidReference: "#REF!" },
  };

  globalThis.OfficeRuntime = {
    storage: {
      _items: new Map(),
      async getItem(k) { return this._items.get(k) ?? null; },
      async setItem(k, v) { this._items.set(k, String(v)); },
      async removeItem(k) { this._items.delete(k); },
    },
  };
})();
