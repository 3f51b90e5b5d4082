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
  for (const el of document.querySelectorAll("[data-autosubmit]")) {
    el.addEventListener("change", () => el.form.submit());
  }
}

function mapSlider() {
  const slider = document.getElementById("map-date");
  if (!slider) return;
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
      img.src = url;
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
