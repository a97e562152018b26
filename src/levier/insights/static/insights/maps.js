// The map of /pilotage/carte/ (a module script: the Content-Security-Policy allows no
// inline script). DSFR's <map-chart> draws France by département; this script
//  - colours each département with levier's class colour (the legend's ranges), and the
//    départements without a value white with a grey outline;
//  - makes a click on a département open the case list filtered on it (instead of the
//    component's zoom, which would recolour the map with its own scale).
// The figures, and a link per département, are in the table under the map.
const data = JSON.parse(document.getElementById("levier-map-data").textContent);

function areas(root) {
  return root.querySelectorAll('[class^="FR-"], [class*=" FR-"]');
}

function codeOf(element) {
  for (const name of element.classList) {
    if (name.startsWith("FR-")) return name.slice(3);
  }
  return null;
}

function set(element, name, value) {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

function paint(root) {
  for (const area of areas(root)) {
    const code = codeOf(area);
    const colour = data.colours[code];
    set(area, "fill", colour || data.noValue);
    if (!colour) set(area, "stroke", "#929292");
  }
}

function follow(event) {
  const area = event.target.closest ? event.target.closest('[class*="FR-"]') : null;
  if (!area) return;
  event.preventDefault();
  event.stopPropagation();
  const href = data.links[codeOf(area)];
  if (event.type === "click" && href) window.location.assign(href);
}

async function setUp(chart) {
  await customElements.whenDefined("map-chart");
  for (let tries = 0; tries < 100 && areas(chart).length === 0; tries += 1) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  // The component colours the map after mounting (and again on a theme change): paint
  // now, and again whenever it does.
  paint(chart);
  new MutationObserver(() => paint(chart)).observe(chart, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["fill"],
  });
  chart.addEventListener("click", follow, true);
  chart.addEventListener("dblclick", follow, true);
  chart.setAttribute("data-levier-ready", "true");
}

for (const chart of document.querySelectorAll(".levier-map map-chart")) {
  setUp(chart);
}
