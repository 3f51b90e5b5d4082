// dilemma serve: the few behaviours htmx does not cover. No inline scripts (the CSP forbids
// them); everything is wired here from data- attributes.
"use strict";

function watchRun() {
  const box = document.getElementById("progress");
  if (!box || !["queued", "running"].includes(box.dataset.state)) return;
  const bar = document.getElementById("progress-bar");
  const text = document.getElementById("progress-text");
  const source = new EventSource(box.dataset.events);
  source.addEventListener("progress", (e) => {
    const d = JSON.parse(e.data);
    if (d.total) bar.max = d.total;
    if (d.done !== undefined) bar.value = d.done;
    text.textContent = `${d.state}: ${d.done ?? 0} of ${d.total ?? "?"} chunks`;
  });
  source.addEventListener("end", () => {
    source.close();
    window.location.reload();
  });
}

function autosubmit() {
  // delegated: also for controls htmx swaps in later
  document.addEventListener("change", (e) => {
    if (e.target.matches && e.target.matches("[data-autosubmit]")) e.target.form.submit();
  });
}

// The interactive map (Leaflet, vendored): the Natural Earth land layer and the case's
// features on the slider's date, from /api/cases/{id}/geojson (the engine's timeline rule).
// Case strings are only ever set as text (textContent), never as HTML.
const MAP_STYLE = {
  range_ring: { color: "#b03a2e", weight: 1.2, fill: false },
  flyout: { color: "#1f5fa8", weight: 1, fillOpacity: 0.08, dashArray: "4 3" },
  radar: { color: "#7b3fa0", weight: 1, fillOpacity: 0.05, dashArray: "2 3" },
  defended_area: { color: "#1e7b34", weight: 0.8, fillOpacity: 0.12 },
};
const SITE_COLOUR = { active: "#1f5fa8", operational: "#1f5fa8", planned: "#d08c00", cancelled: "#888888" };

function el(tag, text) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

function sourceIndex() {
  const index = new Map();
  for (const row of document.querySelectorAll("#map-sources-data tr")) {
    index.set(row.dataset.id, { citation: row.textContent.trim(), url: row.dataset.url });
  }
  return index;
}

function featurePopup(p, date, sources) {
  const box = el("div");
  box.className = "map-popup";
  box.appendChild(el("strong", p.name || p.id || p.kind));
  const list = el("dl");
  const add = (term, value) => {
    if (value === undefined || value === null || value === "") return;
    list.appendChild(el("dt", term));
    list.appendChild(el("dd", String(value)));
  };
  add("what", p.kind === "site" ? `${p.site_kind} site` : p.kind.replace("_", " "));
  add("actor", p.actor);
  add("host", p.host);
  add("launched from", p.launch);
  add(`status on ${date}`, p.status);
  add("range", p.reach_km ? `${p.reach_km} km` : p.range_km ? `${p.range_km} km` : "");
  box.appendChild(list);
  if (p.sources && p.sources.length) {
    box.appendChild(el("span", "sources:"));
    const ul = el("ul");
    for (const id of p.sources) {
      const li = el("li");
      const found = sources.get(id);
      if (found && found.url) {
        const a = el("a", id);
        a.href = found.url;
        a.rel = "noopener noreferrer";
        li.appendChild(a);
      } else {
        li.appendChild(el("code", id));
      }
      if (found) li.appendChild(el("span", ` ${found.citation.slice(0, 120)}`));
      ul.appendChild(li);
    }
    box.appendChild(ul);
  }
  return box;
}

function liveMap(box) {
  if (!box || !window.L) return null;
  box.classList.remove("hidden");
  document.getElementById("map-static").classList.add("hidden");
  const map = L.map(box, { worldCopyJump: true, attributionControl: true, fadeAnimation: false });
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution("land: Natural Earth");
  const where = () => {
    const c = map.getCenter();
    box.dataset.zoom = String(map.getZoom());
    box.dataset.center = `${c.lat.toFixed(3)},${c.lng.toFixed(3)}`;
  };
  map.on("moveend zoomend", where);
  map.setView([50, 20], 3);
  fetch(box.dataset.land)
    .then((r) => r.json())
    .then((land) => {
      L.geoJSON(land, {
        interactive: false,
        style: { color: "#9a9a9a", weight: 0.5, fillColor: "#f4f4f0", fillOpacity: 1 },
      }).addTo(map).bringToBack();
    });
  const sources = sourceIndex();
  let layer = null;
  let first = true;
  const show = (date) => {
    box.dataset.date = date;
    return fetch(box.dataset.geojson + encodeURIComponent(date))
      .then((r) => r.json())
      .then((doc) => {
        if (layer) layer.remove();
        layer = L.geoJSON(doc, {
          style: (f) => MAP_STYLE[f.properties.kind] || {},
          pointToLayer: (f, latlng) => {
            const p = f.properties;
            if (p.kind === "capital") {
              return L.circleMarker(latlng, { radius: 4, color: "#222", weight: 1, fillColor: "#fff", fillOpacity: 1 });
            }
            if (p.kind === "launch_area") {
              return L.circleMarker(latlng, { radius: 2.5, color: "#b03a2e", weight: 1, fillOpacity: 0.9 });
            }
            const colour = SITE_COLOUR[p.status] || "#1f5fa8";
            return L.circleMarker(latlng, { radius: 6, color: "#fff", weight: 1.5, fillColor: colour, fillOpacity: 1 });
          },
          onEachFeature: (f, lyr) => {
            const p = f.properties;
            lyr.bindTooltip(el("span", p.name || p.id || p.kind), { sticky: p.kind !== "site" && p.kind !== "capital" });
            lyr.bindPopup(() => featurePopup(p, box.dataset.date, sources), { maxHeight: 240 });
          },
        }).addTo(map);
        for (const kind of ["capital", "site"]) {
          layer.eachLayer((lyr) => { if (lyr.feature.properties.kind === kind) lyr.bringToFront(); });
        }
        if (first) {
          // fit the sites, capitals and launch areas (a long-range ring would show the globe)
          const points = L.latLngBounds([]);
          layer.eachLayer((lyr) => { if (lyr.getLatLng) points.extend(lyr.getLatLng()); });
          if (points.isValid()) map.fitBounds(points.pad(0.1));
        }
        first = false;
        box.dataset.features = String(doc.features.length);
        box.dispatchEvent(new CustomEvent("map:drawn"));
      });
  };
  show(box.dataset.date);
  return show;
}

function mapSlider() {
  const slider = document.getElementById("map-date");
  if (!slider) return;
  const show = liveMap(document.getElementById("map-live"));
  const dates = slider.dataset.dates.split(",");
  const img = document.getElementById("map-img");
  const label = document.getElementById("map-date-label");
  const download = document.getElementById("map-download");
  const geojson = document.getElementById("map-geojson");
  let timer = null;
  slider.addEventListener("input", () => {
    const date = dates[Number(slider.value)];
    label.textContent = date;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const url = slider.dataset.src + encodeURIComponent(date);
      if (show) show(date);
      else img.src = url;
      img.alt = img.alt.replace(/on [0-9-]+$/, `on ${date}`);
      download.href = url;
      geojson.href = geojson.href.replace(/date=[0-9-]*/, `date=${date}`);
    }, 150);
  });
}

function stepSliders() {
  for (const slider of document.querySelectorAll("input[data-slider]")) {
    const values = slider.dataset.values.split(",");
    const labels = slider.dataset.labels.split(",");
    const img = document.getElementById(slider.dataset.img);
    const label = document.getElementById(slider.dataset.label);
    let timer = null;
    slider.addEventListener("input", () => {
      const i = Number(slider.value);
      label.textContent = labels[i];
      clearTimeout(timer);
      timer = setTimeout(() => {
        img.src = slider.dataset.src + encodeURIComponent(values[i]);
      }, 150);
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  watchRun();
  stepSliders();
  autosubmit();
  mapSlider();
});
