// amz-guard iframe page: "check this text", and actions without leaving the page.
// Everything from the server is inserted as text (textContent), never as HTML.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="amz-guard-session"]').content;

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-Amz-Guard-Session": token },
      body: JSON.stringify(body),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (answer) {
        answer.status = response.status;
        return answer;
      }, function () {
        // Not JSON: a proxy's error page, a login page, a timeout page.
        return { status: response.status, ok: false,
                 error: "amz-guard answered " + response.status + " without a readable reply; reload the sidebar and try again." };
      });
    }, function () {
      // The request never got an answer: offline, blocked (mixed content), or the server down.
      return { status: 0, ok: false,
               error: "amz-guard could not be reached; check the connection, reload the sidebar and try again." };
    });
  }

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) { node.className = className; }
    return node;
  }

  // The findings' offsets index the text as sent; JavaScript strings index UTF-16 units while
  // Python indexes code points, so the text is walked as code points.
  function highlight(target, source, findings) {
    var points = Array.from(source);
    var at = 0;
    target.textContent = "";
    findings.forEach(function (finding) {
      if (finding.start < at) { return; }
      target.appendChild(document.createTextNode(points.slice(at, finding.start).join("")));
      var mark = text("mark", points.slice(finding.start, finding.end).join(""), finding.severity);
      mark.title = finding.message;
      target.appendChild(mark);
      at = finding.end;
    });
    target.appendChild(document.createTextNode(points.slice(at).join("")));
  }

  var form = document.getElementById("check-form");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var source = document.getElementById("check-text").value;
    var asHtml = document.getElementById("check-html").checked;
    post(form.action, { text: source, html: asHtml }).then(function (report) {
      var result = document.getElementById("check-result");
      var verdict = document.getElementById("check-verdict");
      verdict.textContent = "";
      if (report.status !== 200) {
        verdict.appendChild(text("span", report.error || "The check failed.", "badge bad"));
        result.hidden = false;
        return;
      }
      verdict.appendChild(text("span", report.blocked ? "Blocked" : "Clean", report.blocked ? "badge bad" : "badge ok"));
      verdict.appendChild(document.createTextNode(" " + report.findings.length + " finding(s)"));
      highlight(document.getElementById("check-highlighted"), source, report.findings);
      var list = document.getElementById("check-findings");
      list.textContent = "";
      report.findings.forEach(function (finding) {
        var item = text("li", "", "finding " + finding.severity);
        item.appendChild(text("strong", finding.kind));
        item.appendChild(document.createTextNode(" "));
        item.appendChild(text("code", finding.text));
        item.appendChild(document.createTextNode(" — " + finding.message));
        list.appendChild(item);
      });
      document.getElementById("check-redacted").textContent = report.redacted;
      result.hidden = false;
    });
  });

  document.querySelectorAll("form[data-amzg-action]").forEach(function (actionForm) {
    actionForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {};
      new FormData(actionForm).forEach(function (value, name) { body[name] = value; });
      var button = actionForm.querySelector("button");
      if (button) { button.disabled = true; }
      post(actionForm.action, body).then(function (answer) {
        var succeeded = answer.ok === true;
        var message = answer.message || answer.error || (succeeded ? "Done." : "That did not work; reload the sidebar and try again.");
        var note = text("p", message, succeeded ? "badge ok" : "hint");
        note.setAttribute("role", "status");
        if (succeeded) {
          actionForm.replaceWith(note);
          return;
        }
        // Failed: say so, and leave the button to try again.
        var previous = actionForm.nextElementSibling;
        if (previous && previous.hasAttribute("data-amzg-error")) { previous.remove(); }
        note.setAttribute("data-amzg-error", "");
        actionForm.after(note);
        if (button) { button.disabled = false; }
      });
    });
  });

})();
