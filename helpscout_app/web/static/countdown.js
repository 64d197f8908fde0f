// amz-guard: keeps server-rendered countdowns (.countdown[data-due]) ticking; the pages read
// correctly without it, since the server wrote each value.
(function () {
  "use strict";
  function format(seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60);
    minutes = minutes % 60;
    if (days) { return days + " d " + hours + " h"; }
    if (hours) { return hours + " h " + minutes + " min"; }
    return minutes ? minutes + " min" : "< 1 min";
  }
  function tick() {
    document.querySelectorAll(".countdown[data-due]").forEach(function (node) {
      var due = Date.parse(node.getAttribute("data-due"));
      if (!isNaN(due)) { node.textContent = format((due - Date.now()) / 1000); }
    });
  }
  setInterval(tick, 30000);
})();
