// Service forms are served from the page cache to anonymous visitors, so the page carries
// no CSRF token and no one-time key of its own: this fetches both (anju.services.views.
// form_token) and fills them in. Without JavaScript the post is refused with a message
// saying so (anju.core.csrf.csrf_failure), and the page says so beforehand (<noscript>).
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-token-url]");
  if (!forms.length) return;
  var url = forms[0].getAttribute("data-token-url");
  var ready = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    })
    .then(function (token) {
      forms.forEach(function (form) {
        form.querySelector("input[name=csrfmiddlewaretoken]").value = token.csrf;
        var key = form.querySelector("input[name='requester-idempotency_key']");
        if (key && !key.value) key.value = token.key;
        form.setAttribute("data-token-ready", "1");
      });
    })
    .catch(function () {
      forms.forEach(function (form) {
        var note = form.querySelector(".form-token-failed");
        if (note) note.hidden = false;
      });
    });
  forms.forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-token-ready")) return;
      event.preventDefault();
      ready.then(function () {
        if (form.getAttribute("data-token-ready")) form.submit();
      });
    });
  });
})();
