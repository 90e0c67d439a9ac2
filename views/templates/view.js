// The view's behaviour: draw the network and the map's bands behind it; search, details and
// the findings list beside it. Every name arrives as JSON data and is shown as text (canvas
// text, textContent, vis-network's plain-text tooltips), never parsed as HTML.
// The last view drawn leaves `network`, `nodes` and `edges` as globals, as on pyvis pages,
// for tests and users' scripts; each view's network is also `bscalignViews[id]`.
(function () {
  "use strict";

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
        ctx.fillStyle = "#555";
        ctx.font = "bold 14px sans-serif";
        ctx.fillText(r.label, r.x + 8, r.y + 18);
      } else if (r.kind === "column") {
        ctx.strokeStyle = "#d0d0d0";
        ctx.lineWidth = 1;
        ctx.strokeRect(r.x, r.y, r.width, r.height);
        ctx.fillStyle = "#777";
        ctx.font = "13px sans-serif";
        ctx.fillText(r.label, r.x + 8, r.y + 18);
      }
    });
    regions.forEach(function (r) {
      if (r.kind === "plan") {
        ctx.strokeStyle = "#1f3b5c";
        ctx.lineWidth = 3;
        ctx.strokeRect(r.x, r.y, r.width, r.height);
      }
    });
  }

  function setUpSearch(root, network, nodes, reveal) {
    var search = root.querySelector(".bsv-search");
    var status = root.querySelector(".bsv-search-status");
    var matches = [];
    var current = -1;
    search.addEventListener("input", function () {
      var query = search.value.trim().toLowerCase();
      matches = query
        ? nodes.getIds({ filter: function (n) { return n.search.indexOf(query) >= 0; } })
        : [];
      current = -1;
      network.selectNodes(matches);
      status.textContent = query ? matches.length + " found" : "";
    });
    search.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || matches.length === 0) return;
      current = (current + 1) % matches.length;
      reveal(matches[current]);
      status.textContent = current + 1 + " / " + matches.length;
    });
  }

  function listFindings(root, findings, reveal) {
    var list = root.querySelector(".bsv-finding-list");
    findings.forEach(function (f) {
      var item = element("li", "bsv-finding bsv-" + f.severity);
      var head = element("button", "", f.subject + " · " + f.rule + " " + f.name);
      head.type = "button";
      head.addEventListener("click", function () { reveal(f.node); });
      item.append(head, element("p", "", f.message));
      if (f.suggestion) item.append(element("p", "bsv-suggestion", "suggestion: " + f.suggestion));
      list.append(item);
    });
  }

  window.bscalignDraw = function (id) {
    var root = document.getElementById(id);
    var data = JSON.parse(document.getElementById(id + "-data").textContent);
    var nodes = new vis.DataSet(data.nodes);
    var edges = new vis.DataSet(data.edges);
    var network = new vis.Network(
      root.querySelector(".bsv-canvas"), { nodes: nodes, edges: edges }, data.options
    );
    var detail = root.querySelector(".bsv-detail");

    network.on("beforeDrawing", function (ctx) {
      drawRegions(ctx, data.regions, data.bandColors);
    });
    // Tests and scripts wait for this: the first frame is on screen.
    network.once("afterDrawing", function () {
      root.dataset.drawn = "true";
      document.body.dataset.drawn = "true";
    });

    function reveal(node) {
      network.selectNodes([node]);
      network.focus(node, { scale: Math.max(network.getScale(), 1), animation: false });
      detail.textContent = nodes.get(node).title;
    }

    network.on("click", function (params) {
      if (params.nodes.length) detail.textContent = nodes.get(params.nodes[0]).title;
      else if (params.edges.length) detail.textContent = edges.get(params.edges[0]).title;
    });
    root.querySelector(".bsv-fit").addEventListener("click", function () {
      network.unselectAll();
      network.fit({ animation: false });
    });
    if (data.focus) {
      network.selectNodes([data.focus]);
      detail.textContent = nodes.get(data.focus).title;
    }
    setUpSearch(root, network, nodes, reveal);
    listFindings(root, data.findings, reveal);

    window.bscalignViews = window.bscalignViews || {};
    window.bscalignViews[id] = network;
    window.network = network;
    window.nodes = nodes;
    window.edges = edges;
    return network;
  };
})();
