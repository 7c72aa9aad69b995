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

// Import page: "Check file" runs in place, so the chosen file stays selected for "Import".
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("[data-import-form]") || !event.submitter || event.submitter.value !== "0") {
    return;
  }
  event.preventDefault();
  var data = new FormData(form);
  data.set("apply", "0");
  var result = document.getElementById("import-result");
  result.textContent = "Checking…";
  fetch(form.action || window.location.href, {method: "POST", body: data, credentials: "same-origin"})
    .then(function (response) { return response.text(); })
    .then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      result.innerHTML = (page.getElementById("import-result") || page.body).innerHTML;
    });
});
