// thermal-keras demo page: tabs, file and example choice, the three API calls and their results.
// Plain JavaScript, no library, nothing loaded from outside this server.
"use strict";

const state = {info: null, files: {translate: {}, sr: {}, fusion: {}}};
const FIELDS = {translate: ["image"], sr: ["image"], fusion: ["visible", "infrared"]};
const INPUT_IDS = {"translate:image": "translate-file", "sr:image": "sr-file",
                   "fusion:visible": "fusion-visible", "fusion:infrared": "fusion-infrared"};

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text) node.textContent = text;
  return node;
}

function mib(bytes) { return (bytes / 1048576).toFixed(1) + " MiB"; }

function showMessage(tab, text, kind = "error") {
  const box = $(tab + "-message");
  box.textContent = text;
  box.className = "message " + (text ? kind : "");
}

// --- tabs ---------------------------------------------------------------------------------------
function selectTab(tab) {
  for (const button of document.querySelectorAll("nav [role=tab]")) {
    const on = button.dataset.tab === tab;
    button.setAttribute("aria-selected", on ? "true" : "false");
    $("panel-" + button.dataset.tab).hidden = !on;
  }
}

// --- inputs -------------------------------------------------------------------------------------
function showChosen(tab) {
  const box = $(tab + "-chosen");
  box.replaceChildren();
  for (const field of FIELDS[tab]) {
    const file = state.files[tab][field];
    if (!file) continue;
    const figure = el("figure");
    const img = el("img", {alt: ""});
    img.addEventListener("error", () => img.remove());  // not an image: the server will say so on run
    img.src = URL.createObjectURL(file);
    figure.append(img, el("figcaption", {}, `${field}: ${file.name} (${(file.size / 1024).toFixed(1)} KiB)`));
    box.append(figure);
  }
}

function chooseFile(tab, field, file) {
  state.files[tab][field] = file || null;
  showMessage(tab, "");
  showChosen(tab);
}

async function chooseExample(tab, exampleId) {
  if (!exampleId) return;
  const example = state.info.examples[tab].find((e) => e.id === exampleId);
  try {
    for (const [field, url] of Object.entries(example.files)) {
      const response = await fetch(url);
      if (!response.ok) throw new Error((await response.json()).error || response.statusText);
      const blob = await response.blob();
      state.files[tab][field] = new File([blob], `example-${exampleId}-${field}.png`, {type: "image/png"});
      $(INPUT_IDS[`${tab}:${field}`]).value = "";
    }
    showMessage(tab, "");
    showChosen(tab);
  } catch (error) {
    showMessage(tab, "could not load the example: " + error.message);
  }
}

// --- running ------------------------------------------------------------------------------------
async function run(tab, endpoint, extra) {
  const button = $(tab + "-run");
  const form = new FormData();
  let total = 0;
  for (const field of FIELDS[tab]) {
    const file = state.files[tab][field];
    if (!file) {
      showMessage(tab, `choose the ${field === "image" ? "image" : field + " image"} first (a file or an example)`);
      return;
    }
    total += file.size;
    form.append(field, file, file.name);
  }
  if (total > state.info.max_upload_bytes) {
    showMessage(tab, `the upload is ${mib(total)}; the demo takes at most ${mib(state.info.max_upload_bytes)} per run`);
    return;
  }
  for (const [key, value] of Object.entries(extra)) form.append(key, value);
  button.disabled = true;
  showMessage(tab, "running…", "busy");
  $(tab + "-results").dataset.state = "running";
  try {
    const response = await fetch(endpoint, {method: "POST", body: form});
    let body;
    try { body = await response.json(); } catch (e) { body = {error: `the server answered ${response.status} without a result`}; }
    if (!response.ok || body.error) {
      showMessage(tab, body.error || `the server answered ${response.status}`);
      $(tab + "-results").hidden = true;  // an earlier result must not look like this input's
      $(tab + "-results").dataset.state = "error";
      return;
    }
    showMessage(tab, `done in ${body.seconds.toFixed(2)} s`, "ok");
    RENDER[tab](body);
    $(tab + "-results").hidden = false;
    $(tab + "-results").dataset.state = "done";
  } catch (error) {
    showMessage(tab, "the server did not answer (is `thermal-keras app` still running?): " + error.message);
    $(tab + "-results").hidden = true;
    $(tab + "-results").dataset.state = "error";
  } finally {
    button.disabled = false;
  }
}

function downloadLink(filename, dataUrl, label) {
  const [head, data] = dataUrl.split(",");
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const blob = new Blob([bytes], {type: head.slice(5).split(";")[0]});
  const link = el("a", {download: filename, class: "download"}, label);
  link.href = URL.createObjectURL(blob);
  return link;
}

function setDownloads(id, items) {
  const box = $(id);
  box.replaceChildren(document.createTextNode("Download: "));
  items.forEach((item, i) => {
    if (i) box.append(document.createTextNode(" · "));
    box.append(downloadLink(item.filename, item.url, item.label));
  });
}

function setNotes(id, notes) {
  $(id).replaceChildren(...notes.map((n) => el("li", {}, n)));
}

function fmt(value, unit) {
  if (unit === "°C") return value.toFixed(1) + " °C";
  if (unit === "counts") return Math.round(value) + " counts";
  return Math.round(value).toString();
}

function colourBar(box, scale) {
  box.replaceChildren();
  const bar = el("div", {class: "bar"});
  bar.style.background = `linear-gradient(to right, ${scale.colours.join(", ")})`;
  const ticks = el("div", {class: "ticks"});
  const mid = (scale.low + scale.high) / 2;
  for (const value of [scale.low, mid, scale.high]) ticks.append(el("span", {}, fmt(value, scale.unit)));
  box.append(bar, ticks, el("div", {class: "unit"}, "colour scale: " + scale.unit));
}

const RENDER = {
  translate(body) {
    $("translate-input").src = body.images.input;
    $("translate-output").src = body.images.thermal;
    $("translate-caption").textContent = `thermal, ${body.model} (${body.size[0]}×${body.size[1]})`;
    colourBar($("translate-scale"), body.scale);
    $("translate-celsius").textContent = body.celsius
      ? `Predicted temperature: min ${body.celsius.min.toFixed(1)} °C, mean ${body.celsius.mean.toFixed(1)} °C, ` +
        `max ${body.celsius.max.toFixed(1)} °C (what the model predicts, not a measurement; see its card)`
      : "This model's output is 8-bit relative thermal (no °C): its colour scale is the 8-bit level.";
    $("translate-trained").textContent = body.trained_on;
    setDownloads("translate-downloads", body.downloads);
    setNotes("translate-notes", body.notes);
  },
  sr(body) {
    const [w, h] = body.size, [W, H] = body.out_size;
    $("sr-lr").src = body.images.lr;
    $("sr-lr-caption").textContent = `low resolution ${w}×${h} (shown enlarged, pixelated)`;
    $("sr-bicubic").src = body.images.bicubic;
    $("sr-output").src = body.images.model;
    $("sr-model-caption").textContent = `${body.model}, ${W}×${H}`;
    $("sr-lr-crop").src = body.images.lr_crop;
    $("sr-bicubic-crop").src = body.images.bicubic_crop;
    $("sr-model-crop").src = body.images.model_crop;
    const c = body.crop;
    $("sr-crop-title").textContent = `zoomed crop: ${c.side}×${c.side} input pixels at (${c.x}, ${c.y}), the part with most detail`;
    $("sr-info").textContent = `${body.scale}× in ${body.tiles} tile${body.tiles > 1 ? "s" : ""}, ${body.seconds.toFixed(2)} s`;
    $("sr-trained").textContent = body.trained_on;
    setDownloads("sr-downloads", body.downloads);
    setNotes("sr-notes", body.notes);
  },
  fusion(body) {
    $("fusion-visible-img").src = body.images.visible;
    $("fusion-infrared-img").src = body.images.infrared;
    const row = $("fusion-row");
    for (const old of row.querySelectorAll(".method")) old.remove();
    for (const method of body.methods) {
      const figure = el("figure", {class: "method"});
      const img = el("img", {id: method.id === "fusiongan" ? "fusion-output" : "fusion-" + method.id, alt: method.label});
      img.src = method.image;
      figure.append(img, el("figcaption", {}, method.label));
      row.append(figure);
    }
    const table = $("fusion-metrics");
    table.replaceChildren();
    const head = el("tr");
    head.append(el("th", {}, "method"), ...body.metrics.names.map((n) => el("th", {}, n)));
    table.append(head);
    for (const r of body.metrics.rows) {
      const tr = el("tr");
      tr.append(el("th", {}, r.method));
      r.values.forEach((v, i) => {
        const td = el("td", {}, v === null ? "—" : v.toFixed(3));
        if (body.metrics.best[body.metrics.names[i]] === r.method) td.className = "best";
        tr.append(td);
      });
      table.append(tr);
    }
    $("fusion-trained").textContent = body.trained_on;
    setDownloads("fusion-downloads", body.methods.map((m) => ({filename: m.download.filename, url: m.download.url, label: m.id})));
    setNotes("fusion-notes", body.notes);
  },
};

// --- set-up -------------------------------------------------------------------------------------
function fillSelect(select, items) {
  for (const item of items) select.append(el("option", {value: item.id}, item.label));
}

function trainedLine(tab) {
  const models = state.info.tabs[tab].models;
  const select = $(tab + "-model");
  const chosen = select ? models.find((m) => m.id === select.value) : models[0];
  $(tab + "-trained").textContent = chosen ? chosen.trained_on : "no model installed for this tab";
}

async function init() {
  try {
    const response = await fetch("/api/info");
    state.info = await response.json();
  } catch (error) {
    document.body.prepend(el("p", {class: "message error"}, "cannot reach the demo server: " + error.message));
    return;
  }
  const info = state.info;
  $("max-upload").textContent = mib(info.max_upload_bytes);
  for (const tab of ["translate", "sr", "fusion"]) {
    $(tab + "-limit").textContent =
      `Limits: ${info.tabs[tab].limit}, 8-bit images, up to ${mib(info.max_upload_bytes)} per run.`;
    fillSelect($(tab + "-example"), info.examples[tab].map((e) => ({id: e.id, label: e.label})));
    $(tab + "-example").addEventListener("change", (event) => chooseExample(tab, event.target.value));
    if ($(tab + "-model")) {
      fillSelect($(tab + "-model"), info.tabs[tab].models);
      $(tab + "-model").addEventListener("change", () => trainedLine(tab));
    }
    trainedLine(tab);
  }
  fillSelect($("translate-colormap"), info.colormaps.map((c) => ({id: c, label: c})));
  for (const [key, id] of Object.entries(INPUT_IDS)) {
    const [tab, field] = key.split(":");
    $(id).addEventListener("change", (event) => {
      $(tab + "-example").value = "";
      chooseFile(tab, field, event.target.files[0]);
    });
  }
  for (const button of document.querySelectorAll("nav [role=tab]")) {
    button.addEventListener("click", () => selectTab(button.dataset.tab));
  }
  $("translate-run").addEventListener("click", () => run("translate", "/api/translate",
    {model: $("translate-model").value, colormap: $("translate-colormap").value}));
  $("sr-run").addEventListener("click", () => run("sr", "/api/upscale", {model: $("sr-model").value}));
  $("fusion-run").addEventListener("click", () => run("fusion", "/api/fuse",
    {colour: $("fusion-colour").checked ? "1" : ""}));
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", init);
