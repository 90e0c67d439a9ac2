// The view's behaviour: an overview of cards or one plan's map (vis-network, the bands and
// columns drawn behind it); search, filters, the findings to fix and the selection beside it.
// Every name arrives as JSON data and is shown as text (canvas text, textContent,
// vis-network's plain-text tooltips), never parsed as HTML.
// The map on screen leaves `network`, `nodes` and `edges` as globals, as on pyvis pages, for
// tests and users' scripts; each view's network is also `bscalignViews[id]`.
(function () {
  "use strict";

  var RANK = { error: 0, warning: 1, info: 2 };

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function drawRegions(ctx, regions, bandColors) {
    regions.forEach(function (r) {
      if (r.kind === "band") {
        ctx.fillStyle = bandColors[r.perspective] || "#f4f4f4";
        ctx.fillRect(r.x, r.y, r.width, r.height);
        ctx.fillStyle = "#44515e";
        ctx.font = "bold 14px 'Noto Sans CJK TC', sans-serif";
        var words = r.label.split(" ");
        ctx.fillText(words[0], r.x + 8, r.y + 22);
        ctx.font = "13px 'Noto Sans CJK TC', sans-serif";
        var line = "", y = r.y + 42;
        words.slice(1).forEach(function (word) {
          var next = line ? line + " " + word : word;
          if (ctx.measureText(next).width > 86 && line) {
            ctx.fillText(line, r.x + 8, y);
            y += 17;
            next = word;
          }
          line = next;
        });
        if (line) ctx.fillText(line, r.x + 8, y);
      } else if (r.kind === "strip") {
        ctx.fillStyle = "#f3f6f9";
        ctx.fillRect(r.x, r.y, r.width, r.height);
        ctx.fillStyle = "#5b6b7b";
        ctx.font = "13px 'Noto Sans CJK TC', sans-serif";
        var text = r.label, y2 = r.y + 18;
        while (text) {
          var n = text.length;
          while (n > 1 && ctx.measureText(text.slice(0, n)).width > 80) n--;
          ctx.fillText(text.slice(0, n), r.x + 6, y2);
          text = text.slice(n);
          y2 += 16;
        }
      }
    });
    regions.forEach(function (r) {
      if (r.kind === "column") {
        ctx.strokeStyle = "#d0d0d0";
        ctx.lineWidth = 1;
        ctx.strokeRect(r.x, r.y, r.width, r.height);
      }
    });
  }

  function worst(marks) {
    return marks.reduce(function (w, m) {
      return w === null || RANK[m.s] < RANK[w] ? m.s : w;
    }, null);
  }

  window.bscalignDraw = function (id) {
    var root = document.getElementById(id);
    var data = JSON.parse(document.getElementById(id + "-data").textContent);
    var canvas = root.querySelector(".bsv-canvas");
    var cards = root.querySelector(".bsv-cards");
    var detail = root.querySelector(".bsv-detail");
    var counts = root.querySelector(".bsv-counts");
    var nodes = new vis.DataSet([]);
    var edges = new vis.DataSet([]);
    var options = data.options;
    options.interaction.zoomView = data.wheelZoom;
    var network = new vis.Network(canvas, { nodes: nodes, edges: edges }, options);
    var current = null;
    var filter = { severities: { error: true, warning: true, info: true }, rule: "", inferred: false };

    function passes(mark) {
      return filter.severities[mark.s] && (!filter.rule || filter.rule === mark.r);
    }

    function nodeColors(n) {
      var marks = n.fx.filter(passes);
      var roots = marks.filter(function (m) { return m.root; });
      var fill = n.base.background, border = n.base.border, width = n.borderWidth;
      if (roots.length) {
        var colors = data.severityColors[worst(roots)];
        border = colors[1];
        fill = n.kind === "Plan" ? fill : colors[0];
        width = 3;
      } else if (marks.length) {
        fill = n.kind === "Plan" ? fill : data.consequenceColors[0];
        border = data.consequenceColors[1];
        width = 2;
      }
      return {
        id: n.id,
        borderWidth: width,
        color: {
          background: fill, border: border,
          highlight: { background: fill, border: "#000000" },
          hover: { background: fill, border: "#000000" }
        }
      };
    }

    function edgeStyle(e) {
      var roots = e.fx.filter(passes).filter(function (m) { return m.root; });
      var color = roots.length ? data.severityColors[worst(roots)][1] : e.base;
      return {
        id: e.id,
        hidden: e.inferred && !filter.inferred,
        width: roots.length ? 3 : e.width,
        color: { color: color, highlight: "#000000", hover: "#000000" }
      };
    }

    function paint() {
      if (current === null) return;
      var map = data.maps[current];
      nodes.update(map.nodes.map(nodeColors));
      edges.update(map.edges.map(edgeStyle));
      listFindings(map);
    }

    function fitReadable() {
      network.fit({ animation: false });
      var scale = network.getScale();
      if (scale > 1.25) {
        network.moveTo({ scale: 1.25, animation: false });
      } else if (scale < data.minScale) {
        // too large to fit readable: open at a readable scale on the map's top left
        var box = nodes.getIds().reduce(function (b, nid) {
          var r = network.getBoundingBox(nid);
          return { left: Math.min(b.left, r.left), top: Math.min(b.top, r.top) };
        }, { left: Infinity, top: Infinity });
        data.maps[current].regions.forEach(function (r) {
          box.left = Math.min(box.left, r.x);
          box.top = Math.min(box.top, r.y);
        });
        var width = canvas.clientWidth / data.minScale, height = canvas.clientHeight / data.minScale;
        network.moveTo({
          position: { x: box.left - 10 + width / 2, y: box.top - 10 + height / 2 },
          scale: data.minScale,
          animation: false
        });
      }
    }

    function openMap(index) {
      current = index;
      var map = data.maps[index];
      cards.hidden = true;
      canvas.hidden = false;
      nodes = new vis.DataSet(map.nodes.map(function (n) {
        return Object.assign({}, n, nodeColors(n));
      }));
      edges = new vis.DataSet(map.edges.map(function (e) {
        return Object.assign({}, e, edgeStyle(e));
      }));
      network.setData({ nodes: nodes, edges: edges });
      counts.textContent = map.counts;
      listFindings(map);
      fitReadable();
      window.network = network;
      window.nodes = nodes;
      window.edges = edges;
      network.redraw();
    }

    function openOverview() {
      current = null;
      canvas.hidden = true;
      cards.hidden = false;
      counts.textContent = "";
      root.querySelector(".bsv-finding-list").textContent = "";
      root.querySelector(".bsv-fix-count").textContent = "";
      var grid = root.querySelector(".bsv-card-grid");
      if (grid.childElementCount === 0) {
        data.maps.forEach(function (map, index) {
          var card = element("button", "bsv-card" + (map.worst ? " bsv-" + map.worst : ""));
          card.type = "button";
          card.append(element("strong", "", map.plan), element("span", "", map.level));
          map.card.forEach(function (line) { card.append(element("span", "", line)); });
          card.addEventListener("click", function () { openMap(index); });
          grid.append(card);
        });
      }
      markDrawn();
    }

    function markDrawn() {
      root.dataset.drawn = "true";
      document.body.dataset.drawn = "true";
    }

    function reveal(node) {
      network.selectNodes([node]);
      network.focus(node, { scale: Math.max(network.getScale(), 1), animation: false });
      detail.textContent = nodes.get(node).detail;
    }

    function listFindings(map) {
      var list = root.querySelector(".bsv-finding-list");
      list.textContent = "";
      var shown = map.findings.filter(function (f) {
        return passes({ s: f.severity, r: f.rule });
      });
      var items = {};
      var roots = shown.filter(function (f) { return f.cause === null; });
      roots.forEach(function (f) {
        var item = element("li", "bsv-finding bsv-" + f.severity);
        var head = element("button", "", f.subject + " · " + f.rule + " " + f.title);
        head.type = "button";
        head.addEventListener("click", function () { reveal(f.node); });
        item.append(head, element("p", "", f.message));
        if (f.suggestion) {
          item.append(element("p", "bsv-suggestion", data.words.suggestion + ": " + f.suggestion));
        }
        items[f.rule + " " + f.subject] = items[f.rule + " " + f.subject] || item;
        list.append(item);
      });
      var folded = {};
      map.findings.forEach(function (f) {
        if (f.cause === null) return;
        var key = f.cause.rule + " " + f.cause.subject;
        (folded[key] = folded[key] || []).push(f);
      });
      Object.keys(folded).forEach(function (key) {
        if (!items[key]) return;
        var more = element("details");
        more.append(element("summary", "", folded[key].length + " " + data.words.consequences));
        var inner = element("ul");
        folded[key].forEach(function (f) {
          var line = element("li");
          var go = element("button", "", "↳ " + f.subject + " · " + f.rule + " " + f.title);
          go.type = "button";
          go.addEventListener("click", function () { reveal(f.node); });
          line.append(go);
          inner.append(line);
        });
        more.append(inner);
        items[key].append(more);
      });
      root.querySelector(".bsv-fix-count").textContent = "(" + roots.length + ")";
    }

    function setUpSearch() {
      var search = root.querySelector(".bsv-search");
      var status = root.querySelector(".bsv-search-status");
      var matches = [];
      var at = -1;
      search.addEventListener("input", function () {
        var query = search.value.trim().toLowerCase();
        matches = query && current !== null
          ? nodes.getIds({ filter: function (n) { return n.search.indexOf(query) >= 0; } })
          : [];
        at = -1;
        network.selectNodes(matches);
        status.textContent = query ? data.words.found.replace("{n}", matches.length) : "";
      });
      search.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" || matches.length === 0) return;
        at = (at + 1) % matches.length;
        reveal(matches[at]);
        status.textContent = at + 1 + " / " + matches.length;
      });
    }

    function setUpWheel() {
      if (data.wheelZoom) return;
      // the wheel scrolls the page until the map is clicked; Ctrl + wheel zooms at once
      function zoomable() {
        network.setOptions({ interaction: { zoomView: true } });
      }
      canvas.addEventListener("pointerdown", zoomable, { capture: true });
      network.on("click", zoomable);
      canvas.addEventListener("mouseleave", function () {
        network.setOptions({ interaction: { zoomView: false } });
      });
      canvas.addEventListener("wheel", function (event) {
        if (!event.ctrlKey || network.interactionHandler.options.zoomView) return;
        event.preventDefault();
        var scale = network.getScale() * (event.deltaY < 0 ? 1.1 : 1 / 1.1);
        network.moveTo({ scale: scale, animation: false });
      }, { passive: false });
    }

    network.on("beforeDrawing", function (ctx) {
      if (current !== null) drawRegions(ctx, data.maps[current].regions, data.bandColors);
    });
    network.on("afterDrawing", function () {
      if (current !== null) markDrawn();
    });
    network.on("click", function (params) {
      if (params.nodes.length) detail.textContent = nodes.get(params.nodes[0]).detail;
      else if (params.edges.length) detail.textContent = edges.get(params.edges[0]).title;
    });
    root.querySelector(".bsv-fit").addEventListener("click", function () {
      network.unselectAll();
      network.fit({ animation: false });
    });
    root.querySelector(".bsv-overview").addEventListener("click", openOverview);
    root.querySelector(".bsv-inferred").addEventListener("change", function (event) {
      filter.inferred = event.target.checked;
      paint();
    });
    root.querySelectorAll(".bsv-severity").forEach(function (box) {
      box.addEventListener("change", function () {
        filter.severities[box.value] = box.checked;
        paint();
      });
    });
    root.querySelector(".bsv-rule").addEventListener("change", function (event) {
      filter.rule = event.target.value;
      paint();
    });
    setUpSearch();
    setUpWheel();

    window.bscalignViews = window.bscalignViews || {};
    window.bscalignViews[id] = network;
    window.network = network;
    window.nodes = nodes;
    window.edges = edges;
    if (data.start === null) {
      openOverview();
    } else {
      openMap(data.start);
      if (data.focus && nodes.get(data.focus)) {
        network.selectNodes([data.focus]);
        detail.textContent = nodes.get(data.focus).detail;
      }
    }
    return network;
  };
})();
