// Asks before running an action that declares a confirmation (buttons with data-confirm).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// "With selected" bulk actions (Flask-Admin's actions.js), started without inline handlers.
document.addEventListener("click", function (event) {
  var item = event.target.closest("[data-model-action]");
  if (item && window.modelActions) {
    event.preventDefault();
    window.modelActions.execute(item.getAttribute("data-model-action"));
  }
});

// The Content-Security-Policy forbids following javascript: links; scripts handle those clicks.
document.addEventListener("click", function (event) {
  if (event.target.closest('a[href^="javascript:"]')) {
    event.preventDefault();
  }
}, true);

// Inline list edits post with jQuery: send the page's CSRF token with them.
if (window.jQuery) {
  window.jQuery.ajaxSetup({
    headers: {"X-CSRFToken": (document.querySelector('meta[name="csrf-token"]') || {}).content}
  });
}

// Import page: "Check file" runs in place, so the chosen file stays selected for "Import"; the
// check's progress lines are shown as the server sends them.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("[data-import-form]") || !event.submitter || event.submitter.value !== "0") {
    return;
  }
  event.preventDefault();
  var data = new FormData(form);
  data.set("apply", "0");
  var result = document.getElementById("import-result");
  result.textContent = form.dataset.checking;
  var show = function (html, finished) {  // a page that is not the import's (an error) shows whole
    var page = new DOMParser().parseFromString(html, "text/html");
    var part = page.getElementById("import-result") || (finished ? page.body : null);
    if (part) {
      result.innerHTML = part.innerHTML;
    }
  };
  fetch(form.action || window.location.href, {method: "POST", body: data, credentials: "same-origin"})
    .then(function (response) {
      var reader = response.body.getReader(), decoder = new TextDecoder(), html = "";
      var next = function () {
        return reader.read().then(function (chunk) {
          if (chunk.done) {
            show(html + decoder.decode(), true);
            return;
          }
          html += decoder.decode(chunk.value, {stream: true});
          show(html);
          return next();
        });
      };
      return next();
    });
});
