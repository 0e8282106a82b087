/* The dashboard (大屏): ECharts for the trends and the types, Leaflet for the heat map of the
 * cases filed per unit grid. Today's figures refresh by htmx (the page's poll element); the
 * rest is the period's, and the whole page reloads now and then for a screen left on a wall.
 *
 * Data and texts come from the #dashboard-config JSON element (the Content-Security-Policy
 * allows no inline script). Tooltips are drawn on the canvas (renderMode "richText"): ECharts'
 * HTML tooltips carry inline styles, which the policy refuses. Names from the database are
 * shown with textContent, never as HTML.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("dashboard-config").textContent);
  const text = config.text;
  const ink = "#e3ecf7";
  const muted = "#8ea5c0";
  const line = "rgba(142, 165, 192, 0.18)";
  const colours = ["#38c6ff", "#3ddc97", "#ffd166", "#ff8a5c", "#b28dff", "#5c7cfa"];
  const charts = [];

  function draw(id, option, hasData) {
    const element = document.getElementById(id);
    if (!element) return;
    const chart = echarts.init(element, null, { renderer: "canvas" });
    const base = {
      color: colours,
      backgroundColor: "transparent",
      textStyle: { color: ink, fontFamily: "inherit" },
      aria: { enabled: true },
      animationDuration: 600,
      tooltip: {
        renderMode: "richText",
        backgroundColor: "rgba(7, 17, 31, 0.92)",
        borderColor: "#1d3a5e",
        textStyle: { color: ink },
      },
      legend: {
        type: "scroll",
        top: 0,
        textStyle: { color: muted },
        pageTextStyle: { color: muted },
        itemWidth: 14,
        itemHeight: 8,
      },
      grid: { left: 8, right: 8, top: 44, bottom: 4, containLabel: true },
    };
    if (!hasData) {
      base.title = {
        text: text.noData,
        left: "center",
        top: "middle",
        textStyle: { color: muted, fontSize: 14, fontWeight: "normal" },
      };
    }
    chart.setOption(merge(base, option));
    element.dataset.drawn = "true"; // for the browser tests
    charts.push(chart);
  }

  function merge(base, option) {
    const merged = Object.assign({}, base, option);
    for (const key of ["tooltip", "legend", "grid"]) {
      if (option[key]) merged[key] = Object.assign({}, base[key], option[key]);
    }
    return merged;
  }

  function any(...lists) {
    return lists.some((values) => values.some((value) => value));
  }

  function axis(extra) {
    return Object.assign(
      {
        axisLine: { lineStyle: { color: line } },
        axisLabel: { color: muted },
        splitLine: { lineStyle: { color: line } },
      },
      extra,
    );
  }

  // -- the charts ------------------------------------------------------------------------------

  const months = config.months;
  draw(
    "chart-months",
    {
      tooltip: { trigger: "axis" },
      xAxis: axis({ type: "category", data: months.labels, splitLine: { show: false } }),
      yAxis: [
        axis({ type: "value", minInterval: 1 }),
        axis({
          type: "value",
          min: 0,
          max: 100,
          axisLabel: { color: muted, formatter: "{value}%" },
          splitLine: { show: false },
        }),
      ],
      series: [
        bars(text.filed, months.filed, 0),
        bars(text.handled, months.handled, 0),
        rate(text.discoveryRate, months.discoveryRate),
        rate(text.handlingRate, months.handlingRate),
        rate(text.onTimeRate, months.onTimeRate),
      ],
    },
    any(months.filed, months.handled),
  );

  draw(
    "chart-hours",
    {
      tooltip: { trigger: "axis" },
      xAxis: axis({ type: "category", data: months.labels, splitLine: { show: false } }),
      yAxis: [
        axis({ type: "value", axisLabel: { color: muted, formatter: `{value} ${text.h}` } }),
        axis({ type: "value", minInterval: 1, splitLine: { show: false } }),
      ],
      series: [
        Object.assign(bars(text.publicCalls, months.publicCalls, 1), {
          itemStyle: { color: "rgba(178, 141, 255, 0.55)" },
        }),
        curve(text.meanHours, months.meanHours, "#38c6ff"),
        curve(text.medianHours, months.medianHours, "#ffd166"),
      ],
    },
    any(months.publicCalls, months.meanHours.map((v) => v !== null)),
  );

  const days = config.days;
  draw(
    "chart-days",
    {
      tooltip: { trigger: "axis" },
      xAxis: axis({
        type: "category",
        data: days.labels,
        boundaryGap: false,
        splitLine: { show: false },
      }),
      yAxis: axis({ type: "value", minInterval: 1 }),
      series: [
        area(text.reported, days.reported, "#38c6ff"),
        area(text.filed, days.filed, "#ffd166"),
        area(text.closed, days.closed, "#3ddc97"),
      ],
    },
    any(days.reported, days.filed, days.closed),
  );

  const types = config.types;
  draw(
    "chart-types",
    {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { show: false },
      grid: { top: 4, right: 36 },
      xAxis: axis({ type: "value", minInterval: 1 }),
      yAxis: axis({
        type: "category",
        inverse: true,
        data: types.names,
        axisLabel: { color: ink, width: 120, overflow: "truncate" },
      }),
      series: [
        {
          type: "bar",
          name: text.cases,
          data: types.counts,
          barMaxWidth: 16,
          label: { show: true, position: "right", color: ink },
          itemStyle: {
            borderRadius: [0, 3, 3, 0],
            color: new echarts.graphic.LinearGradient(0, 0, 1, 0, [
              { offset: 0, color: "#1b6fb5" },
              { offset: 1, color: "#38c6ff" },
            ]),
          },
        },
      ],
    },
    types.counts.length > 0,
  );

  function bars(name, data, yAxisIndex) {
    return { type: "bar", name: name, data: data, yAxisIndex: yAxisIndex, barMaxWidth: 14 };
  }

  function rate(name, data) {
    return {
      type: "line",
      name: name,
      data: data,
      yAxisIndex: 1,
      smooth: true,
      connectNulls: true,
      symbolSize: 5,
    };
  }

  function curve(name, data, colour) {
    return {
      type: "line",
      name: name,
      data: data,
      smooth: true,
      connectNulls: true,
      symbolSize: 5,
      lineStyle: { color: colour, width: 2 },
      itemStyle: { color: colour },
    };
  }

  function area(name, data, colour) {
    return Object.assign(curve(name, data, colour), {
      symbol: "none",
      areaStyle: {
        color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [
          { offset: 0, color: colour + "66" },
          { offset: 1, color: colour + "00" },
        ]),
      },
    });
  }

  // -- the heat map ----------------------------------------------------------------------------

  const heat = ["#ffe08a", "#ffb347", "#ff7a3d", "#f0433a", "#b8002e"];
  const DISC_ZOOM = 16; // from this zoom on the grids are drawn as they are
  const gridLayers = {};

  function tip(feature) {
    const label = document.createElement("span");
    label.textContent = `${text.grid} ${feature.properties.code}: ${feature.properties.cases}`;
    return label;
  }

  function heatMap() {
    const element = document.getElementById("dash-map");
    if (!element) return;
    const map = L.map(element, { minZoom: 8, maxZoom: 19, zoomSnap: 0.25, attributionControl: false });
    window.urbangridDashboardMap = map; // for the browser tests
    if (config.heat.tiles.url) {
      L.control.attribution({ prefix: false }).addTo(map);
      window.urbangridTiles(map, config.heat.tiles);
    }
    map.setView([0, 0], 2);
    const outlines = window.urbangridOutlines(map, config.heat.outlines, {
      district: { color: "#38c6ff", weight: 2, fill: true, fillColor: "#38c6ff", fillOpacity: 0.04 },
      street: { color: "#4d7aa8", weight: 1, dashArray: "4 3", fill: false },
    });
    // A street's post sees its street's cases: its outline stands out and frames an empty map.
    const mine = new Set(config.heat.streets);
    let territory = null;
    const grids = fetch(config.heat.url, { credentials: "same-origin" }).then((response) =>
      response.ok ? response.json() : Promise.reject(response.status),
    );
    Promise.all([outlines, grids])
      .then(([outlineLayer, collection]) => {
        const most = collection.most;
        if (outlineLayer && mine.size) {
          outlineLayer.eachLayer((street) => {
            if (!mine.has(street.feature.properties.code)) return;
            street.setStyle({ color: "#38c6ff", weight: 3, dashArray: null });
            territory = territory ? territory.extend(street.getBounds()) : street.getBounds();
          });
        }
        // A unit grid is ~100 m across, a dot at the district's scale: each is drawn as a
        // disc by its count until the map is close enough to see the grids themselves.
        const shapes = L.geoJSON(collection, {
          style: (feature) => ({
            color: "#ffe08a",
            weight: 0.6,
            fillColor: heat[step(feature.properties.cases, most)],
            fillOpacity: 0.85,
          }),
          onEachFeature: (feature, grid) => {
            gridLayers[feature.properties.code] = grid;
            grid.bindTooltip(tip(feature), { sticky: true });
          },
        });
        const discs = L.layerGroup(
          collection.features.map((feature) => {
            const shade = step(feature.properties.cases, most);
            const centre = L.geoJSON(feature).getBounds().getCenter();
            return L.circleMarker(centre, {
              radius: 5 + 2 * shade,
              stroke: true,
              color: heat[shade],
              weight: 6,
              opacity: 0.25,
              fillColor: heat[shade],
              fillOpacity: 0.9,
            }).bindTooltip(tip(feature));
          }),
        );
        const close = () => map.getZoom() >= DISC_ZOOM;
        const show = () => {
          map.removeLayer(close() ? discs : shapes);
          map.addLayer(close() ? shapes : discs);
        };
        map.on("zoomend", show);
        element.dataset.grids = String(collection.features.length); // for the browser tests
        if (collection.features.length) {
          map.fitBounds(territory || shapes.getBounds(), { padding: [24, 24], maxZoom: 15 });
          legend(most).addTo(map);
        } else {
          if (territory || outlineLayer) map.fitBounds(territory || outlineLayer.getBounds());
          note(text.noData).addTo(map);
        }
        show();
      })
      .catch(() => note(text.failed).addTo(map));

    for (const button of document.querySelectorAll("[data-zoom]")) {
      button.addEventListener("click", () => {
        const grid = gridLayers[button.dataset.zoom];
        if (!grid) return;
        map.fitBounds(grid.getBounds(), { maxZoom: 17 });
        map.once("moveend", () => grid.openTooltip(grid.getBounds().getCenter()));
      });
    }
  }

  // Five shades, by the share of the densest grid's count (at least five: a month of one
  // case per grid is not painted as a hotspot).
  function step(count, most) {
    const top = Math.max(most, heat.length);
    return Math.min(heat.length - 1, Math.max(0, Math.ceil((count / top) * heat.length) - 1));
  }

  function legend(most) {
    most = Math.max(most, heat.length);
    const control = L.control({ position: "bottomright" });
    control.onAdd = () => {
      const box = L.DomUtil.create("div", "heat-legend");
      const title = document.createElement("div");
      title.textContent = text.cases;
      box.appendChild(title);
      for (let n = heat.length - 1; n >= 0; n -= 1) {
        const low = Math.floor((most * n) / heat.length) + 1;
        const high = Math.floor((most * (n + 1)) / heat.length);
        if (high < low) continue;
        const row = document.createElement("div");
        const swatch = document.createElement("i");
        swatch.className = `h${n + 1}`;
        row.appendChild(swatch);
        row.appendChild(document.createTextNode(low === high ? `${low}` : `${low}–${high}`));
        box.appendChild(row);
      }
      return box;
    };
    return control;
  }

  function note(message) {
    const control = L.control({ position: "topright" });
    control.onAdd = () => {
      const box = L.DomUtil.create("div", "heat-note");
      box.textContent = message;
      return box;
    };
    return control;
  }

  heatMap();

  // -- the page --------------------------------------------------------------------------------

  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
  const period = document.getElementById("dash-period");
  period.addEventListener("change", () => period.form.requestSubmit());
  window.setTimeout(() => window.location.reload(), config.reloadSeconds * 1000);
})();
