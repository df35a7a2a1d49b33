/* chartwatch pages: draw the charts, move the map's week, suggest titles while typing.
   Everything here enhances plain HTML: the tables and forms work without it. */
(function () {
  "use strict";
  var views = {};

  function readJSON(id) {
    var el = id && document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function embedCharts() {
    // the pages send their charts compiled to Vega (chartwatch.web.vega): only vega.min.js
    // is loaded, and only on pages with a chart
    if (!window.vega) return Promise.resolve();
    var jobs = [];
    document.querySelectorAll(".vega[data-spec]").forEach(function (el) {
      var spec = readJSON(el.getAttribute("data-spec"));
      if (!spec) return;
      var view;
      try {
        view = new window.vega.View(window.vega.parse(spec), {
          renderer: "svg", container: el, hover: true
        });
      } catch (err) {
        el.textContent = "The chart could not be drawn (" + err.message + "); the table below has every figure.";
        return;
      }
      jobs.push(
        view.runAsync().then(function () {
          views[el.id] = view;
          var svg = el.querySelector("svg");
          if (svg && spec.description) {  // the chart's text alternative
            svg.setAttribute("role", "img");
            svg.setAttribute("aria-label", spec.description);
          }
          el.setAttribute("data-rendered", "true");
        }, function (err) {
          el.textContent = "The chart could not be drawn (" + err.message + "); the table below has every figure.";
        })
      );
    });
    return Promise.all(jobs);
  }

  function wireMap() {
    var controls = document.querySelector(".map-controls");
    var slider = document.getElementById("map-week");
    var label = document.getElementById("map-week-label");
    var whole = document.getElementById("map-whole");
    var chart = document.getElementById("map-chart");
    var caption = document.getElementById("map-description");
    var names = readJSON(chart && chart.getAttribute("data-views")) || [];
    var view = views["map-chart"];
    if (!controls || !slider || !view) return;
    controls.hidden = false;
    function describe(text, i) {  // "…; showing the whole run." -> the view shown now
      return text.replace(/showing [^;]*\.$/, "showing " + (names[i] || "") + ".");
    }
    function show(i) {
      slider.value = String(i);
      label.textContent = names[i] || "";
      slider.setAttribute("aria-valuetext", names[i] || "");
      chart.setAttribute("data-week", String(i));
      if (caption) caption.textContent = describe(caption.textContent, i);
      var svg = chart.querySelector("svg");
      if (svg && svg.getAttribute("aria-label")) {
        svg.setAttribute("aria-label", describe(svg.getAttribute("aria-label"), i));
      }
      view.signal("week", i).runAsync();
    }
    slider.addEventListener("input", function () { show(Number(slider.value)); });
    whole.addEventListener("click", function () { show(0); });
  }

  function typeahead(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var mode = input.getAttribute("data-typeahead"); // "navigate" or "fill"
    var items = [], active = -1, timer = null, seq = 0;
    if (!list) return;

    function render() {
      while (list.firstChild) list.removeChild(list.firstChild);
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        li.textContent = item.describe;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      if (active >= 0) input.setAttribute("aria-activedescendant", list.id + "-" + active);
      else input.removeAttribute("aria-activedescendant");
    }
    function close() { items = []; active = -1; render(); }
    function choose(i) {
      var item = items[i];
      if (!item) return;
      if (mode === "navigate") { window.location.assign(item.url); return; }
      input.value = item.describe;
      close();
    }
    function lookup() {
      var q = input.value.trim();
      var mine = ++seq;
      if (q.length < 2) { close(); return; }
      fetch("/search.json?limit=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (res) { return res.ok ? res.json() : { results: [] }; })
        .then(function (data) {
          if (mine !== seq) return;
          items = data.results || [];
          active = -1;
          render();
        })
        .catch(function () { /* offline or server gone: the form still submits */ });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookup, 120); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && items.length) { active = (active + 1) % items.length; render(); e.preventDefault(); }
      else if (e.key === "ArrowUp" && items.length) { active = (active - 1 + items.length) % items.length; render(); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(active); }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  document.querySelectorAll("[data-typeahead]").forEach(typeahead);
  embedCharts().then(wireMap);
})();
