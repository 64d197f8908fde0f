// amz-guard: keeps server-rendered countdowns (.countdown[data-due]) ticking; the pages read
// correctly without it, since the server wrote each value. Once a deadline passes, the text
// turns to "overdue by ..." and the enclosing [data-countdown] element's badge
// (.countdown-badge) and "waiting" class turn to "Breached", as the server would have written.
// Time is counted from the server's "now" (data-now) as the page was rendered, so a wrong clock
// on the agent's computer does not move the deadline.
(function () {
  "use strict";
  var loadedAt = Date.now();
  function format(seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60);
    minutes = minutes % 60;
    if (days) { return days + " d " + hours + " h"; }
    if (hours) { return hours + " h " + minutes + " min"; }
    return minutes ? minutes + " min" : "< 1 min";
  }
  function breach(node) {
    var scope = node.closest("[data-countdown]");
    if (!scope) { return; }
    scope.classList.replace("waiting", "breached");
    var badge = scope.querySelector(".countdown-badge");
    if (badge) {
      badge.textContent = "Breached";
      badge.className = "badge bad countdown-badge";
      badge.hidden = false;
    }
  }
  function tick() {
    document.querySelectorAll(".countdown[data-due]").forEach(function (node) {
      var due = Date.parse(node.getAttribute("data-due"));
      var renderedAt = Date.parse(node.getAttribute("data-now"));
      if (isNaN(due)) { return; }
      var now = isNaN(renderedAt) ? Date.now() : renderedAt + (Date.now() - loadedAt);
      var left = (due - now) / 1000;
      if (left >= 0) {
        node.textContent = format(left) + " left";
      } else {
        node.textContent = "overdue by " + format(left);
        breach(node);
      }
    });
  }
  setInterval(tick, 5000);  // the server wrote the values as of loading
})();
