/* The map page: district, street and community outlines, unit grids once zoomed in, the grid
 * under a click, and search by case number, component identifier, grid code or address. The
 * view and the overlays shown are kept in the address's hash (#view=zoom/lat/lon&off=…), so
 * Back and reload return to the same place.
 *
 * Settings and texts come from the #map-config JSON element (the Content-Security-Policy allows
 * no inline script). Names from the database are shown with textContent, never as HTML.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("map-config").textContent);
  const text = config.text;
  const statusLine = document.getElementById("map-status");
  const resultList = document.getElementById("map-results");
  const details = document.getElementById("map-details");
  const form = document.getElementById("map-search");

  const map = L.map("map", { minZoom: 5, maxZoom: 20 });
  map.createPane("outlines"); // above the grids, deaf to the mouse (map.css)
  map.createPane("selection");
  window.urbangridMap = map; // for static/components/layer.js and the browser tests

  const outlineStyles = {
    district: { color: "#12355b", weight: 3, fill: false },
    street: { color: "#0b5cad", weight: 2, fill: false },
    community: { color: "#5b6877", weight: 1, dashArray: "4 3", fill: false },
  };
  const outlines = {};
  for (const level of Object.keys(outlineStyles)) {
    outlines[level] = L.geoJSON(null, {
      pane: "outlines",
      interactive: false,
      style: outlineStyles[level],
    }).addTo(map);
  }
  const gridStyle = {
    color: "#2e7d5b",
    weight: 1,
    fillColor: "#2e7d5b",
    fillOpacity: 0.05,
    className: "ug-grid",
  };
  const grids = L.geoJSON(null, { style: gridStyle, onEachFeature: bindGrid }).addTo(map);
  const selection = L.geoJSON(null, {
    pane: "selection",
    interactive: false,
    style: { color: "#c62828", weight: 3, fill: false },
  }).addTo(map);
  const pin = L.layerGroup().addTo(map); // an address found by search
  const overlays = {}; // key in the hash → layer
  const start = readHash();
  let control = null;

  // One grid request at a time: when the map moves meanwhile, the newest view is asked for
  // once the answer is in, so panning never piles up requests on the server. (Declared before
  // any handler that reads them is registered.)
  let loading = false;
  let moved = false;

  addLayerControl();
  map.whenReady(() => map.on("moveend overlayadd overlayremove", writeHash));
  map.on("click", (event) => {
    pin.clearLayers();
    showPlace(event.latlng);
  });
  map.on("moveend overlayadd overlayremove", refreshGrids);
  map.on("zoomend", () => {
    map.getContainer().dataset.zoom = map.getZoom(); // the zoom level, for the browser tests
  });
  form.addEventListener("submit", search);
  if (start.view) map.setView([start.view[1], start.view[2]], start.view[0]);
  loadOutlines();

  // -- loading ---------------------------------------------------------------------------------

  function address(base, params) {
    return base + "?" + new URLSearchParams(params).toString();
  }

  async function getJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(data.error ? data.error.message : text.failed);
    }
    return data;
  }

  function say(message) {
    statusLine.textContent = message || "";
  }

  function failed(error) {
    say(error.message || text.failed);
  }

  function escapeHtml(value) {
    const holder = document.createElement("span");
    holder.textContent = value;
    return holder.innerHTML;
  }

  function addLayerControl() {
    const bases = {};
    if (config.tiles.url) {
      const tiles = L.tileLayer(config.tiles.url, {
        attribution: escapeHtml(config.tiles.attribution),
        maxNativeZoom: 18,
        maxZoom: 20,
      }).addTo(map);
      bases[escapeHtml(text.baseMap)] = tiles;
    }
    control = L.control.layers(bases, {}, { collapsed: false }).addTo(map);
    addOverlay("district", outlines.district, text.district);
    addOverlay("streets", outlines.street, text.streets);
    addOverlay("communities", outlines.community, text.communities);
    addOverlay("grids", grids, text.grids);
  }

  // An overlay in the layer control, shown unless the hash says it was switched off. The other
  // layers' scripts (static/components/layer.js, static/geo/cases.js) add theirs through it.
  function addOverlay(key, layer, label) {
    overlays[key] = layer;
    control.addOverlay(layer, escapeHtml(label));
    if (start.off.includes(key)) {
      map.removeLayer(layer);
    } else {
      map.addLayer(layer);
    }
  }
  window.urbangridOverlay = addOverlay;

  // -- the place kept in the address -----------------------------------------------------------

  function readHash() {
    const params = new URLSearchParams(window.location.hash.slice(1));
    const view = (params.get("view") || "").split("/").map(Number);
    const valid = view.length === 3 && view.every(Number.isFinite);
    return { view: valid ? view : null, off: (params.get("off") || "").split(",") };
  }

  function writeHash() {
    // replaceState: moving the map adds no history entry, so Back leaves the map page.
    const centre = map.getCenter();
    let hash = "#view=" + [map.getZoom(), centre.lat.toFixed(6), centre.lng.toFixed(6)].join("/");
    const off = Object.keys(overlays).filter((key) => !map.hasLayer(overlays[key]));
    if (off.length) hash += "&off=" + off.join(",");
    window.history.replaceState(window.history.state, "", hash);
  }

  function loadOutlines() {
    say(text.loading);
    getJSON(config.urls.outlines)
      .then((data) => {
        for (const feature of data.features) {
          outlines[feature.properties.level].addData(feature);
        }
        const bounds = outlines.district.getBounds();
        if (start.view) {
          say("");
        } else if (bounds.isValid()) {
          map.fitBounds(bounds);
        } else {
          map.setView([35, 105], 5);
          say(text.noTerritory);
        }
      })
      .catch((error) => {
        if (!start.view) map.setView([35, 105], 5);
        failed(error);
      });
  }

  // -- unit grids --------------------------------------------------------------------------------

  function refreshGrids() {
    if (loading) {
      moved = true;
      return;
    }
    if (!map.hasLayer(grids)) return;
    const box = map.getBounds();
    const span = Math.max(box.getEast() - box.getWest(), box.getNorth() - box.getSouth());
    if (map.getZoom() < config.gridMinZoom || span > config.maxBoxDegrees) {
      grids.clearLayers();
      say(text.zoomIn);
      return;
    }
    const bbox = [box.getWest(), box.getSouth(), box.getEast(), box.getNorth()]
      .map((value) => value.toFixed(6))
      .join(",");
    loading = true;
    getJSON(address(config.urls.grids, { bbox: bbox }))
      .then((data) => {
        if (!moved) showGrids(data);
      })
      .catch(failed)
      .finally(() => {
        loading = false;
        if (moved) {
          moved = false;
          refreshGrids();
        }
      });
  }

  function showGrids(data) {
    grids.clearLayers();
    if (data.too_many) {
      say(data.message);
      return;
    }
    grids.addData(data);
    say(text.gridsShown.replace("{n}", data.count));
  }

  function bindGrid(feature, layer) {
    const label = document.createElement("span");
    label.textContent = feature.properties.code;
    layer.bindTooltip(label, { sticky: true, direction: "top", className: "ug-grid-tip" });
    layer.on("mouseover", () => layer.setStyle({ weight: 3 }));
    layer.on("mouseout", () => grids.resetStyle(layer));
  }

  // -- the place under a click -------------------------------------------------------------------

  function showPlace(latlng) {
    const point = latlng.wrap();
    const params = { lon: point.lng.toFixed(7), lat: point.lat.toFixed(7) };
    getJSON(address(config.urls.locate, params))
      .then((data) => select(data.features[0]))
      .catch((error) => {
        details.hidden = true;
        failed(error);
      });
  }

  function select(feature) {
    selection.clearLayers();
    if (feature.geometry) selection.addData(feature);
    const p = feature.properties;
    showDetails([
      [text.district, p.district_name + " (" + p.district_code + ")"],
      [text.street, p.street_name + " (" + p.street_code + ")"],
      [text.community, p.community_name + " (" + p.community_code + ")"],
      [text.grid, p.code + (p.name ? " " + p.name : "")],
      [text.area, p.area_m2.toLocaleString() + " m²"],
      [text.landUse, p.land_use || "—"],
      [text.grade, p.management_grade || "—"],
    ]);
  }

  function showDetails(rows) {
    const list = details.querySelector("dl");
    list.replaceChildren();
    for (const [term, value] of rows) {
      const dt = document.createElement("dt");
      const dd = document.createElement("dd");
      dt.textContent = term;
      dd.textContent = value;
      list.append(dt, dd);
    }
    details.hidden = false;
  }

  // -- search ------------------------------------------------------------------------------------

  function search(event) {
    event.preventDefault();
    const query = form.elements.q.value.trim();
    if (!query) return;
    say(text.loading);
    getJSON(address(config.urls.search, { q: query }))
      .then(showResults)
      .catch((error) => {
        resultList.replaceChildren();
        failed(error);
      });
  }

  function showResults(data) {
    resultList.replaceChildren();
    say(data.message);
    for (const feature of data.features) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = resultLabel(feature.properties);
      if (feature.properties.note) {
        // How the gazetteer matched the address, so a guess is seen as one.
        const note = document.createElement("small");
        note.className = "map-match";
        note.textContent = text.matched.replace("{how}", feature.properties.note);
        button.append(note);
      }
      button.addEventListener("click", () => goTo(feature));
      item.append(button);
      resultList.append(item);
    }
    if (data.features.length) goTo(data.features[0]);
  }

  function resultLabel(p) {
    if (p.kind === "grid") return p.code + " · " + p.community_name + " · " + p.street_name;
    return p.label + (p.grid_code ? " · " + p.grid_code : "");
  }

  // A popup's card: terms and values, and a link to the page (cases.js and components/layer.js
  // use it too).
  function card(kind, facts, url, linkText) {
    const box = document.createElement("div");
    box.className = "ug-card";
    box.dataset.testid = kind + "-popup";
    const list = document.createElement("dl");
    for (const [term, value] of facts) {
      const dt = document.createElement("dt");
      const dd = document.createElement("dd");
      dt.textContent = term;
      dd.textContent = value;
      list.append(dt, dd);
    }
    const link = document.createElement("a");
    link.href = url;
    link.textContent = linkText;
    box.append(list, link);
    return box;
  }
  window.urbangridCard = card;

  // The loading of an overlay drawn from the rows in view (components/layer.js, cases.js):
  // one request at a time, a move meanwhile asks again for the newest view once it is in;
  // below config.minZoom or beyond the box limit, clear(text.zoomIn) instead. Returns refresh.
  function boxLoader(layer, config, text, filters, draw, clear) {
    let loading = false;
    let again = false;

    function refresh() {
      if (loading) {
        again = true;
        return;
      }
      if (!map.hasLayer(layer)) return;
      const box = map.getBounds();
      const span = Math.max(box.getEast() - box.getWest(), box.getNorth() - box.getSouth());
      if (map.getZoom() < config.minZoom || span > config.maxBoxDegrees) {
        clear(text.zoomIn);
        return;
      }
      loading = true;
      fetch(config.url + "?" + query(box).toString(), { headers: { Accept: "application/json" } })
        .then(async (response) => {
          const data = await response.json().catch(() => ({}));
          if (!response.ok) throw new Error(data.error ? data.error.message : text.failed);
          if (!again) draw(data);
        })
        .catch((error) => clear(error.message || text.failed))
        .finally(() => {
          loading = false;
          if (again) {
            again = false;
            refresh();
          }
        });
    }

    function query(box) {
      const bbox = [box.getWest(), box.getSouth(), box.getEast(), box.getNorth()]
        .map((value) => value.toFixed(6))
        .join(",");
      const params = new URLSearchParams({ bbox: bbox });
      for (const [name, select] of Object.entries(filters)) {
        if (select.value) params.set(name, select.value);
      }
      return params;
    }

    return refresh;
  }
  window.urbangridBoxLoader = boxLoader;

  function goTo(feature) {
    pin.clearLayers();
    const p = feature.properties;
    if (p.kind === "case" || p.kind === "component") {
      const [lon, lat] = feature.geometry.coordinates;
      map.setView([lat, lon], 18);
      L.popup({ offset: [0, -4] })
        .setLatLng([lat, lon])
        .setContent(card(p.kind, p.facts, p.url, p.link))
        .openOn(map);
      return;
    }
    if (p.kind === "grid") {
      const [west, south, east, north] = feature.bbox;
      map.fitBounds(
        [
          [south, west],
          [north, east],
        ],
        { maxZoom: 18 },
      );
      select(feature);
      return;
    }
    const [lon, lat] = feature.geometry.coordinates;
    map.setView([lat, lon], 18);
    L.circleMarker([lat, lon], { pane: "selection", radius: 8, color: "#c62828" }).addTo(pin);
    selection.clearLayers();
    if (feature.properties.grid_code) {
      showPlace(L.latLng(lat, lon));
    } else {
      details.hidden = true;
    }
  }
})();
