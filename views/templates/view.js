// The page's own behaviour: draw the network, the map's bands behind it, and the search box.
// `network`, `nodes` and `edges` stay globals, as on pyvis pages, for tests and users' scripts.
var nodes = new vis.DataSet(DATA.nodes);
var edges = new vis.DataSet(DATA.edges);
var network = new vis.Network(
  document.getElementById("mynetwork"), { nodes: nodes, edges: edges }, DATA.options
);

network.on("beforeDrawing", function (ctx) {
  DATA.regions.forEach(function (r) {
    if (r.kind === "band") {
      ctx.fillStyle = DATA.bandColors[r.perspective] || "#f4f4f4";
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
  DATA.regions.forEach(function (r) {
    if (r.kind === "plan") {
      ctx.strokeStyle = "#1f3b5c";
      ctx.lineWidth = 3;
      ctx.strokeRect(r.x, r.y, r.width, r.height);
    }
  });
});

// Tests and scripts wait for this: the first frame is on screen.
network.once("afterDrawing", function () {
  document.body.dataset.drawn = "true";
});

if (DATA.focus) {
  network.selectNodes([DATA.focus]);
}

var search = document.getElementById("search");
var searchStatus = document.getElementById("search-status");
var matches = [];
var current = -1;

search.addEventListener("input", function () {
  var query = search.value.trim().toLowerCase();
  matches = query ? nodes.getIds({ filter: function (n) { return n.search.indexOf(query) >= 0; } }) : [];
  current = -1;
  network.selectNodes(matches);
  searchStatus.textContent = query ? matches.length + " found" : "";
});

search.addEventListener("keydown", function (event) {
  if (event.key !== "Enter" || matches.length === 0) return;
  current = (current + 1) % matches.length;
  network.selectNodes([matches[current]]);
  network.focus(matches[current], { scale: 1.2, animation: false });
  searchStatus.textContent = current + 1 + " / " + matches.length;
});
